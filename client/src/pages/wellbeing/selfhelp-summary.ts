import { html, nothing } from 'lit';
import {
  catalogue,
  patientSummary,
  recommend,
  sharedRecords,
  type SelfHelpSummary,
  type ThoughtRecord,
} from '../../api/selfhelp';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { changeLine } from './thought-records-page';

/**
 * The clinician's view of a patient's self-help: guides started, completed or recommended, how
 * many thought records (and how many shared), the last week's activity adherence and mood change,
 * and recommending a guide. No text the patient wrote (shared records are read on their own).
 */
export class SelfHelpSummaryPanel extends LightElement {
  static override properties = {
    patientId: { type: String, attribute: 'patient-id' },
    summary: { state: true },
    choices: { state: true },
    shared: { state: true },
    note: { state: true },
    error: { state: true },
  };

  declare patientId: string;
  declare summary: SelfHelpSummary | null;
  declare choices: { module: string; title: string }[];
  declare shared: ThoughtRecord[];
  declare note: string;
  declare error: string;

  constructor() {
    super();
    this.patientId = '';
    this.summary = null;
    this.choices = [];
    this.shared = [];
    this.note = '';
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.summary = await patientSummary(this.patientId);
      await this.loadChoices();
      // Only clinicians read shared records; a caregiver's 404 simply leaves the list empty.
      this.shared = await sharedRecords(this.patientId).catch(() => []);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async recommendOne(event: Event): Promise<void> {
    event.preventDefault();
    const module = String(new FormData(event.target as HTMLFormElement).get('module') ?? '');
    try {
      await recommend(this.patientId, module);
      this.note = t('selfhelp.summary.recommended');
      await this.load();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async loadChoices(): Promise<void> {
    if (this.choices.length) return;
    try {
      this.choices = await catalogue();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  override render() {
    const s = this.summary;
    return html`<section class="panel" aria-labelledby="selfhelp-summary-title">
      <h2 id="selfhelp-summary-title">${t('selfhelp.summary.title')}</h2>
      <div class="form-error" role="alert">${this.error || nothing}</div>
      ${
        s
          ? html`<h3>${t('selfhelp.summary.modules')}</h3>
              ${
                s.modules.length
                  ? html`<ul>${s.modules.map(
                      (m) => html`<li>${m.title}: ${
                        m.completed
                          ? t('selfhelp.module.completed')
                          : t('selfhelp.module.progress', { read: m.sections_read.length, total: m.sections })
                      }${m.recommended ? html` · ${t('selfhelp.module.recommended')}` : nothing}</li>`,
                    )}</ul>`
                  : html`<p>${t('selfhelp.summary.none')}</p>`
              }
              <p>${t('selfhelp.summary.records', { count: s.thought_records, shared: s.shared_thought_records })}</p>
              <p>${t('selfhelp.summary.activities', { days: s.days, done: s.activities.done, due: s.activities.due })}</p>
              ${
                s.activities.mood_change_mean === null || s.activities.mood_change_mean === undefined
                  ? nothing
                  : html`<p>${t('selfhelp.summary.mood', { change: s.activities.mood_change_mean })}</p>`
              }
              ${
                this.shared.length
                  ? html`<h3>${t('selfhelp.summary.shared')}</h3>
                      <ul>${this.shared.map(
                        (r) => html`<li>
                          <p>${r.situation}</p>
                          <p><strong>${t('selfhelp.thoughts.hot')}:</strong> ${r.automatic_thoughts[r.hot_thought]}</p>
                          <p><strong>${t('selfhelp.thoughts.balanced')}:</strong> ${r.balanced_thought}</p>
                          <p>${r.change.map((c) => changeLine(c)).join('; ')}</p>
                        </li>`,
                      )}</ul>`
                  : nothing
              }
              <form @submit=${this.recommendOne}>
                <label>${t('selfhelp.summary.recommend')}
                  <select name="module">${this.choices.map((c) => html`<option value=${c.module}>${c.title}</option>`)}</select>
                </label>
                <button class="button" type="submit">${t('selfhelp.summary.recommendButton')}</button>
                <p role="status">${this.note || nothing}</p>
              </form>`
          : nothing
      }
    </section>`;
  }
}

customElements.define('cv-selfhelp-summary', SelfHelpSummaryPanel);
