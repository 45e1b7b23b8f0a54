import { html, nothing } from 'lit';
import {
  decideHours,
  logHours,
  opportunity,
  pendingHours,
  signUp,
  type Hours,
  type OpportunityDetail,
} from '../../api/volunteering';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { formatDate, toDateInputValue } from '../../i18n/format';
import { hoursText } from './my-page';

/** One opportunity: sign up, log hours and see their state; its organisers confirm or decline. */
export class VolunteeringOpportunity extends LightElement {
  static override properties = {
    oppId: { attribute: false },
    found: { state: true },
    pending: { state: true },
    error: { state: true },
    status: { state: true },
  };

  declare oppId: string;
  declare found: OpportunityDetail | null;
  declare pending: Hours[];
  declare error: string;
  declare status: string;

  constructor() {
    super();
    this.oppId = '';
    this.found = null;
    this.pending = [];
    this.error = '';
    this.status = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.act(() => this.load());
  }

  private async load(): Promise<void> {
    this.found = await opportunity(this.oppId);
    this.pending = this.found.organiser ? await pendingHours(this.oppId) : [];
  }

  private async act(work: () => Promise<void>): Promise<void> {
    this.error = '';
    try {
      await work();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private join = () =>
    this.act(async () => {
      await signUp(this.oppId);
      await this.load();
      this.status = t('volunteering.signedUpDone');
    });

  private log = (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const minutes = Math.round(Number(data.get('hours')) * 60);
    void this.act(async () => {
      await logHours(this.oppId, String(data.get('day')), minutes, String(data.get('note') ?? ''));
      form.reset();
      await this.load();
      this.status = t('volunteering.logged');
    });
  };

  private decide = (h: Hours, confirm: boolean) =>
    this.act(async () => {
      await decideHours(this.oppId, h.id, confirm);
      await this.load();
      this.status = t(confirm ? 'volunteering.confirmedDone' : 'volunteering.declinedDone', {
        name: h.volunteer,
      });
    });

  private hoursLine(h: Hours) {
    return html`${formatDate(h.day)} · ${hoursText(h.minutes)}${h.note ? html` · ${h.note}` : nothing}`;
  }

  private volunteer(o: OpportunityDetail) {
    if (!o.signed_up) {
      return html`<p><button class="button" @click=${this.join}>${t('volunteering.signUp')}</button></p>`;
    }
    const today = toDateInputValue(new Date());
    return html`
      <form class="stack" @submit=${this.log} aria-labelledby="log-heading">
        <h2 id="log-heading">${t('volunteering.log.title')}</h2>
        <label for="log-day">${t('volunteering.log.day')}</label>
        <input id="log-day" name="day" type="date" required max=${today} .value=${today} />
        <label for="log-hours">${t('volunteering.log.hours')}</label>
        <input id="log-hours" name="hours" type="number" required min="0.25" max="12" step="0.25" />
        <label for="log-note">${t('volunteering.log.note')}</label>
        <input id="log-note" name="note" maxlength="300" />
        <p><button class="button" type="submit">${t('volunteering.log.submit')}</button></p>
      </form>
      <h2>${t('volunteering.myHours')}</h2>
      ${o.my_hours.length
        ? html`<ul role="list">
            ${o.my_hours.map(
              (h) => html`<li>
                ${this.hoursLine(h)} ·
                <strong>${t(`volunteering.status.${h.status}` as MessageKey)}</strong>
              </li>`,
            )}
          </ul>`
        : html`<p>${t('volunteering.noHours')}</p>`}
    `;
  }

  private organiser() {
    return html`
      <h2>${t('volunteering.pending.title')}</h2>
      ${this.pending.length
        ? html`<ul role="list" class="cards">
            ${this.pending.map(
              (h) => html`<li class="card">
                <p><strong>${h.volunteer}</strong></p>
                <p>${this.hoursLine(h)}</p>
                <p>
                  <button class="button" @click=${() => this.decide(h, true)}>
                    ${t('volunteering.pending.confirm', { name: h.volunteer })}
                  </button>
                  <button class="button button--secondary" @click=${() => this.decide(h, false)}>
                    ${t('volunteering.pending.decline', { name: h.volunteer })}
                  </button>
                </p>
              </li>`,
            )}
          </ul>`
        : html`<p>${t('volunteering.pending.none')}</p>`}
    `;
  }

  override render() {
    const o = this.found;
    if (!o) {
      return html`<section class="panel" aria-labelledby="opp-heading">
        <h1 id="opp-heading">${t('volunteering.opportunity')}</h1>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      </section>`;
    }
    return html`
      <section class="panel" aria-labelledby="opp-heading">
        <h1 id="opp-heading">${o.title}</h1>
        <p class="hint">${o.community_name}</p>
        ${o.description ? html`<p class="lead">${o.description}</p>` : nothing}
        <p><a href="/volunteering">${t('volunteering.back')}</a></p>
        ${this.volunteer(o)} ${o.organiser ? this.organiser() : nothing}
        <p role="status">${this.status}</p>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      </section>
    `;
  }
}

customElements.define('cv-volunteering-opportunity', VolunteeringOpportunity);

declare global {
  interface HTMLElementTagNameMap {
    'cv-volunteering-opportunity': VolunteeringOpportunity;
  }
}
