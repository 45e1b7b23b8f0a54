import { html, nothing } from 'lit';
import {
  instruments,
  myResults,
  mySchedules,
  submitAnswers,
  type Answers,
  type CrisisPath,
  type Instrument,
  type Schedule,
  type WellbeingResult,
} from '../../api/wellbeing';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { crisisPanel } from './crisis-panel';
import { changeText } from './wellbeing-chart';
import { resultSummary } from './wellbeing-results';
import './wellbeing-chart';
import './therapy-room';

/** The C-SSRS skip: questions asked only after a yes to another. */
const ASKED_AFTER: Record<string, string> = { q3: 'q2', q4: 'q2', q5: 'q2', q6_past_3_months: 'q6' };

/**
 * "Wellbeing": the patient answers a questionnaire (PHQ-9, GAD-7, WHO-5, PHQ-2, GAD-2 or the
 * C-SSRS screener) one item per group of radio buttons, sees the result in plain words, and
 * their results over time. A crisis answer shows the site's crisis resources at once, and offers
 * the C-SSRS screener when it came from PHQ-9 item 9; the care team's alert is the server's.
 */
export class WellbeingPage extends LightElement {
  static override properties = {
    catalogue: { state: true },
    chosen: { state: true },
    answers: { state: true },
    result: { state: true },
    crisis: { state: true },
    history: { state: true },
    schedules: { state: true },
    busy: { state: true },
    error: { state: true },
  };

  declare catalogue: Instrument[];
  declare chosen: Instrument | null;
  declare answers: Record<string, number | boolean | null>;
  declare result: WellbeingResult | null;
  declare crisis: CrisisPath | null;
  declare history: WellbeingResult[];
  declare schedules: Schedule[];
  declare busy: boolean;
  declare error: string;

  constructor() {
    super();
    this.catalogue = [];
    this.chosen = null;
    this.answers = {};
    this.result = null;
    this.crisis = null;
    this.history = [];
    this.schedules = [];
    this.busy = false;
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      [this.catalogue, this.history, this.schedules] = await Promise.all([
        instruments(),
        myResults(),
        mySchedules(),
      ]);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private titleOf(code: string): string {
    return this.catalogue.find((i) => i.code === code)?.title ?? code;
  }

  private choose(instrument: Instrument): void {
    this.chosen = instrument;
    this.answers = {};
    this.result = null;
    this.error = '';
    void this.focusById('questionnaire-title');
  }

  private asked(instrument: Instrument, linkId: string): boolean {
    const after = instrument.scoring === 'cssrs-triage' ? ASKED_AFTER[linkId] : undefined;
    return after === undefined || this.answers[after] === true;
  }

  private collect(instrument: Instrument): Answers {
    if (instrument.scoring === 'cssrs-triage') {
      const out: Record<string, boolean | null> = {};
      for (const item of instrument.items) {
        if (this.asked(instrument, item.link_id)) {
          const value = this.answers[item.link_id];
          out[item.link_id] = typeof value === 'boolean' ? value : null;
        }
      }
      return out;
    }
    return instrument.items.map((item) => {
      const value = this.answers[item.link_id];
      return typeof value === 'number' ? value : null;
    });
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    const instrument = this.chosen;
    if (!instrument || this.busy) return;
    this.busy = true;
    this.error = '';
    try {
      const result = await submitAnswers(instrument.code, this.collect(instrument));
      this.result = result;
      this.chosen = null;
      if (result.crisis) {
        this.crisis = result.crisis;
        void this.focusById('crisis-title');
      } else {
        void this.focusById('result-title');
      }
      [this.history, this.schedules] = await Promise.all([myResults(), mySchedules()]);
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  private renderCrisis(crisis: CrisisPath) {
    const screener = this.catalogue.find((i) => i.code === 'cssrs');
    return crisisPanel(
      crisis,
      crisis.offer_cssrs && screener
        ? html`<p>${t('wellbeing.crisis.offer')}</p>
            <button class="button button--primary" type="button" @click=${() => this.choose(screener)}>
              ${t('wellbeing.crisis.startScreener')}
            </button>`
        : nothing,
    );
  }

  private renderItem(instrument: Instrument, item: Instrument['items'][number], index: number) {
    if (!this.asked(instrument, item.link_id)) return nothing;
    const yesNo = instrument.scoring === 'cssrs-triage';
    const options = yesNo
      ? [
          { value: true as number | boolean, text: t('wellbeing.yes') },
          { value: false as number | boolean, text: t('wellbeing.no') },
        ]
      : instrument.options.map((o) => ({ value: o.score as number | boolean, text: o.text }));
    return html`
      <fieldset class="field questionnaire-item">
        <legend>${index + 1}. ${item.text}</legend>
        ${options.map(
          (option, n) => html`
            <div class="choice">
              <input
                id="${item.link_id}-${n}"
                type="radio"
                name=${item.link_id}
                .checked=${this.answers[item.link_id] === option.value}
                @change=${() => (this.answers = { ...this.answers, [item.link_id]: option.value })}
              />
              <label for="${item.link_id}-${n}">${option.text}</label>
            </div>
          `,
        )}
      </fieldset>
    `;
  }

  private renderForm(instrument: Instrument) {
    return html`
      <form class="panel" novalidate @submit=${this.submit} aria-labelledby="questionnaire-title">
        <h2 id="questionnaire-title" tabindex="-1">${instrument.title}</h2>
        <p>${instrument.period}</p>
        ${instrument.items.map((item, index) => this.renderItem(instrument, item, index))}
        <div class="actions">
          <button class="button button--primary" type="submit" aria-disabled=${this.busy ? 'true' : 'false'}>
            ${this.busy ? t('form.working') : t('wellbeing.send')}
          </button>
          <button class="button" type="button" @click=${() => (this.chosen = null)}>${t('form.cancel')}</button>
        </div>
        <p class="hint">${instrument.licence}</p>
      </form>
    `;
  }

  private renderHistory() {
    if (this.history.length === 0) return html`<p>${t('wellbeing.history.none')}</p>`;
    return html`
      <table class="table">
        <thead>
          <tr>
            <th scope="col">${t('wellbeing.history.when')}</th>
            <th scope="col">${t('wellbeing.history.questionnaire')}</th>
            <th scope="col">${t('wellbeing.history.result')}</th>
          </tr>
        </thead>
        <tbody>
          ${[...this.history].reverse().map(
            (r) => html`<tr>
              <td>${new Date(r.submitted_at).toLocaleString()}</td>
              <td>${this.titleOf(r.instrument)}</td>
              <td>${resultSummary(r)}${changeText(r) ? html` · <span class="change">${changeText(r)}</span>` : nothing}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    `;
  }

  private renderSchedules() {
    if (this.schedules.length === 0) return nothing;
    return html`<section class="panel" aria-labelledby="asked-title">
      <h2 id="asked-title">${t('wellbeing.asked.title')}</h2>
      <ul class="schedule-list">
        ${this.schedules.map((s) => {
          const instrument = this.catalogue.find((i) => i.code === s.instrument);
          return html`<li data-schedule=${s.instrument}>
            ${t('wellbeing.schedule.every', { title: s.title, days: s.every_days })} ·
            ${
              s.due
                ? html`<strong>${t('wellbeing.asked.due')}</strong>
                    ${instrument ? html`<button class="button button--primary" type="button" @click=${() => this.choose(instrument)}>
                      ${t('wellbeing.asked.answer', { title: s.title })}
                    </button>` : nothing}`
                : t('wellbeing.schedule.next', { when: new Date(s.next_due_at).toLocaleDateString() })
            }
          </li>`;
        })}
      </ul>
    </section>`;
  }

  override render() {
    return html`
      <div class="page-intro">
        <h1>${t('wellbeing.title')}</h1>
        <p class="lead">${t('wellbeing.intro')}</p>
        <p><a href="/wellbeing/exposure">${t('exposure.link')}</a></p>
        <p><a href="/wellbeing/self-help">${t('selfhelp.link')}</a></p>
        <div class="form-error" role="alert">${this.error || nothing}</div>
      </div>
      ${this.crisis ? this.renderCrisis(this.crisis) : nothing}
      ${
        this.result && !this.result.crisis
          ? html`<section class="panel" aria-labelledby="result-title">
              <h2 id="result-title" tabindex="-1">${t('wellbeing.result.title')}</h2>
              <p>${this.titleOf(this.result.instrument)}: ${resultSummary(this.result)}</p>
            </section>`
          : nothing
      }
      ${this.chosen ? nothing : this.renderSchedules()}
      ${
        this.chosen
          ? this.renderForm(this.chosen)
          : html`<section class="panel" aria-labelledby="choose-title">
              <h2 id="choose-title">${t('wellbeing.choose')}</h2>
              <ul class="instrument-list">
                ${this.catalogue.map(
                  (i) => html`<li>
                    <button class="button" type="button" @click=${() => this.choose(i)}>${i.title}</button>
                  </li>`,
                )}
              </ul>
            </section>`
      }
      <cv-my-therapy-rooms></cv-my-therapy-rooms>
      <section class="panel" aria-labelledby="breathe-title">
        <h2 id="breathe-title"><a href="/wellbeing/breathe">${t('breathing.link')}</a></h2>
        <p>${t('breathing.linkIntro')}</p>
      </section>
      <section class="panel" aria-labelledby="history-title">
        <h2 id="history-title">${t('wellbeing.history.title')}</h2>
        <cv-wellbeing-chart .results=${this.history} .instruments=${this.catalogue}></cv-wellbeing-chart>
        ${this.renderHistory()}
      </section>
    `;
  }
}

customElements.define('cv-wellbeing-page', WellbeingPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-wellbeing-page': WellbeingPage;
  }
}
