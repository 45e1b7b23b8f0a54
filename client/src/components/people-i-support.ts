import { html } from 'lit';
import { delegations, type Delegation } from '../api/privacy';
import { t } from '../i18n';
import { formatDate } from '../i18n/format';
import { describeError } from './errors';
import { LightElement } from './light-element';
import { renderLoadFailure, renderLoading } from './load-state';
import { scopeLabel, sortScopes } from './scopes';

/** On a caregiver's home: the people who have shared access with them, and what it allows. */
export class PeopleISupport extends LightElement {
  static override properties = {
    delegations: { state: true },
    loadError: { state: true },
  };

  declare delegations: Delegation[] | null;
  declare loadError: string;

  constructor() {
    super();
    this.delegations = null;
    this.loadError = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = '';
    this.delegations = null;
    try {
      this.delegations = await delegations();
    } catch (error) {
      this.loadError = describeError(error);
    }
  }

  private renderBody() {
    if (this.loadError) {
      return renderLoadFailure(this.loadError, this.load);
    }
    if (this.delegations === null) return renderLoading();
    const active = this.delegations.filter((d) => d.active);
    if (active.length === 0) return html`<p class="empty">${t('supported.empty')}</p>`;
    return html`
      <ul class="item-list" role="list">
        ${active.map(
          (d) => html`
            <li class="item">
              <h3 class="item__title">${d.patient_name}</h3>
              <p class="item__meta">${t('supported.until', { date: formatDate(d.expires_at) })}</p>
              <p class="item__label">${t('supported.canDo')}</p>
              <ul class="scope-list">
                ${sortScopes(d.scopes).map((scope) => html`<li>${scopeLabel(scope, 'caregiver')}</li>`)}
              </ul>
            </li>
          `,
        )}
      </ul>
    `;
  }

  override render() {
    return html`
      <section class="panel" aria-labelledby="supported-title">
        <h2 id="supported-title">${t('supported.title')}</h2>
        ${this.renderBody()}
      </section>
    `;
  }
}

customElements.define('cv-people-i-support', PeopleISupport);

declare global {
  interface HTMLElementTagNameMap {
    'cv-people-i-support': PeopleISupport;
  }
}
