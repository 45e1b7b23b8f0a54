import { html, nothing } from 'lit';
import type { Concern } from '../../api/moderation';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';

/**
 * The message of concern a writer sees when their post is held for crisis language: the
 * site's words and crisis resources (configured per deployment and language). The composer
 * renders `<cv-concern-message .concern=${answer.concern}>` from the POST answer; it is
 * announced as a status (not an alarm) and its heading takes focus.
 */
export class ConcernMessage extends LightElement {
  static override properties = { concern: { attribute: false }, nudge: { type: Boolean } };

  declare concern: Concern | null;
  /** A pre-post nudge (the draft is not sent yet): no focus move, a hint that posting still works. */
  declare nudge: boolean;

  constructor() {
    super();
    this.concern = null;
    this.nudge = false;
  }

  override async updated(): Promise<void> {
    // A nudge appears while the writer types: it is announced, never steals the focus.
    if (this.concern && !this.nudge) await this.focusById('concern-heading');
  }

  override render() {
    const concern = this.concern;
    if (!concern) return nothing;
    const heading = this.nudge ? 'nudge-heading' : 'concern-heading';
    return html`
      <section class="concern" role="status" aria-labelledby=${heading}>
        <h2 id=${heading} tabindex="-1">${t('concern.title')}</h2>
        <p>${concern.message}</p>
        <h3>${t('concern.resources')}</h3>
        <ul role="list">
          ${concern.resources.map(
            (r) => html`<li>
              <strong>${r.name}</strong>: ${r.contact}
              ${r.url
                ? html` · <a href=${r.url} rel="noopener noreferrer" target="_blank">${r.url}</a>`
                : nothing}
            </li>`,
          )}
        </ul>
        <p class="hint">${t(this.nudge ? 'concern.nudge' : 'concern.held')}</p>
      </section>
    `;
  }
}

customElements.define('cv-concern-message', ConcernMessage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-concern-message': ConcernMessage;
  }
}
