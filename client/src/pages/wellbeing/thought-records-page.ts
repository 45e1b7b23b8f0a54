import { html, nothing } from 'lit';
import {
  shareRecord,
  thoughtRecords,
  writeThoughtRecord,
  type ThoughtRecord,
  type ThoughtRecordInput,
} from '../../api/selfhelp';
import type { CrisisPath } from '../../api/wellbeing';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { formatDate, formatTime } from '../../i18n/format';
import { crisisPanel } from './crisis-panel';

export const TRAPS = [
  'all-or-nothing',
  'catastrophising',
  'mind-reading',
  'overgeneralising',
  'discounting-the-positive',
  'emotional-reasoning',
  'should-statements',
  'labelling',
  'personalising',
  'fortune-telling',
] as const;

interface Emotion {
  name: string;
  intensity: number;
  rerated: number;
}

/** The change of one emotion in words: "anxious 85 → 35 (−50)". */
export function changeLine(c: ThoughtRecord['change'][number]): string {
  if (c.after === null || c.after === undefined || c.change === null || c.change === undefined) {
    return t('selfhelp.thoughts.notRerated', { name: c.name, before: c.before });
  }
  const change = c.change > 0 ? `+${c.change}` : String(c.change);
  return t('selfhelp.thoughts.change', { name: c.name, before: c.before, after: c.after, change });
}

/**
 * Thought records (`/wellbeing/self-help/thoughts`): the CBT seven columns as one form (situation,
 * emotions 0-100, automatic thoughts with the hot one, evidence for and against, a balanced
 * thought, the emotions re-rated), the change shown after saving, and the patient's past records,
 * each shareable with their therapist (off by default).
 */
export class ThoughtRecordsPage extends LightElement {
  static override properties = {
    records: { state: true },
    emotions: { state: true },
    thoughts: { state: true },
    hot: { state: true },
    saved: { state: true },
    crisis: { state: true },
    busy: { state: true },
    error: { state: true },
  };

  declare records: ThoughtRecord[];
  declare emotions: Emotion[];
  declare thoughts: string[];
  declare hot: number;
  declare saved: ThoughtRecord | null;
  declare crisis: CrisisPath | null;
  declare busy: boolean;
  declare error: string;

  constructor() {
    super();
    this.records = [];
    this.reset();
    this.saved = null;
    this.crisis = null;
    this.busy = false;
    this.error = '';
  }

  private reset(): void {
    this.emotions = [{ name: '', intensity: 50, rerated: 50 }];
    this.thoughts = [''];
    this.hot = 0;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.records = await thoughtRecords();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private setEmotion(i: number, patch: Partial<Emotion>): void {
    this.emotions = this.emotions.map((e, j) => (j === i ? { ...e, ...patch } : e));
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const form = new FormData(event.target as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? '');
    const record: ThoughtRecordInput = {
      situation: text('situation'),
      emotions: this.emotions.map((e) => ({ name: e.name, intensity: e.intensity })),
      automatic_thoughts: this.thoughts,
      hot_thought: this.hot,
      evidence_for: text('evidence_for'),
      evidence_against: text('evidence_against'),
      balanced_thought: text('balanced_thought'),
      rerated: this.emotions.map((e) => ({ name: e.name, intensity: e.rerated })),
      traps: TRAPS.filter((trap) => form.get(`trap-${trap}`) === 'on'),
      shared: form.get('shared') === 'on',
    };
    this.busy = true;
    this.error = '';
    try {
      const saved = await writeThoughtRecord(record);
      this.saved = saved;
      this.crisis = saved.crisis ?? null;
      (event.target as HTMLFormElement).reset();
      this.reset();
      void this.focusById(this.crisis ? 'crisis-title' : 'saved-title');
      this.records = await thoughtRecords();
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  private async toggleShare(record: ThoughtRecord): Promise<void> {
    try {
      const changed = await shareRecord(record.id, !record.shared);
      this.records = this.records.map((r) => (r.id === changed.id ? changed : r));
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private renderEmotion(e: Emotion, i: number, rerate: boolean) {
    if (rerate) {
      return html`<label>
        ${t('selfhelp.thoughts.rerateLabel', { name: e.name || t('selfhelp.thoughts.emotion', { number: i + 1 }) })}
        <input type="number" min="0" max="100" required name="rerated-${i}" .value=${String(e.rerated)}
          @input=${(ev: Event) => this.setEmotion(i, { rerated: Number((ev.target as HTMLInputElement).value) })} />
      </label>`;
    }
    return html`<div class="emotion-row">
      <label>${t('selfhelp.thoughts.emotion', { number: i + 1 })}
        <input type="text" required maxlength="60" name="emotion-${i}" .value=${e.name}
          @input=${(ev: Event) => this.setEmotion(i, { name: (ev.target as HTMLInputElement).value })} />
      </label>
      <label>${t('selfhelp.thoughts.intensity')}
        <input type="number" min="0" max="100" required name="intensity-${i}" .value=${String(e.intensity)}
          @input=${(ev: Event) => this.setEmotion(i, { intensity: Number((ev.target as HTMLInputElement).value) })} />
      </label>
    </div>`;
  }

  private renderForm() {
    return html`<form class="panel thought-form" @submit=${this.submit} aria-labelledby="new-title">
      <h2 id="new-title">${t('selfhelp.thoughts.new')}</h2>
      <label>${t('selfhelp.thoughts.situation')}
        <textarea name="situation" required maxlength="2000" rows="2"></textarea></label>
      <fieldset><legend>${t('selfhelp.thoughts.emotions')}</legend>
        ${this.emotions.map((e, i) => this.renderEmotion(e, i, false))}
        ${
          this.emotions.length < 10
            ? html`<button class="button" type="button"
                @click=${() => (this.emotions = [...this.emotions, { name: '', intensity: 50, rerated: 50 }])}>
                ${t('selfhelp.thoughts.addEmotion')}</button>`
            : nothing
        }
      </fieldset>
      <fieldset><legend>${t('selfhelp.thoughts.thoughts')}</legend>
        ${this.thoughts.map(
          (thought, i) => html`<div class="emotion-row">
            <label>${t('selfhelp.thoughts.thought', { number: i + 1 })}
              <input type="text" required maxlength="2000" name="thought-${i}" .value=${thought}
                @input=${(ev: Event) => {
                  this.thoughts = this.thoughts.map((x, j) => (j === i ? (ev.target as HTMLInputElement).value : x));
                }} />
            </label>
            <label><input type="radio" name="hot" .checked=${this.hot === i} @change=${() => (this.hot = i)} />
              ${t('selfhelp.thoughts.hot')}</label>
          </div>`,
        )}
        ${
          this.thoughts.length < 10
            ? html`<button class="button" type="button" @click=${() => (this.thoughts = [...this.thoughts, ''])}>
                ${t('selfhelp.thoughts.addThought')}</button>`
            : nothing
        }
      </fieldset>
      <label>${t('selfhelp.thoughts.evidenceFor')}
        <textarea name="evidence_for" required maxlength="2000" rows="2"></textarea></label>
      <label>${t('selfhelp.thoughts.evidenceAgainst')}
        <textarea name="evidence_against" required maxlength="2000" rows="2"></textarea></label>
      <label>${t('selfhelp.thoughts.balanced')}
        <textarea name="balanced_thought" required maxlength="2000" rows="2"></textarea></label>
      <fieldset><legend>${t('selfhelp.thoughts.rerate')}</legend>
        ${this.emotions.map((e, i) => this.renderEmotion(e, i, true))}
      </fieldset>
      <fieldset><legend>${t('selfhelp.thoughts.traps')}</legend>
        ${TRAPS.map(
          (trap) => html`<label><input type="checkbox" name="trap-${trap}" /> ${t(`selfhelp.trap.${trap}`)}</label>`,
        )}
      </fieldset>
      <label><input type="checkbox" name="shared" /> ${t('selfhelp.thoughts.share')}</label>
      <p>${t('selfhelp.thoughts.shareHelp')}</p>
      <button class="button button--primary" type="submit" ?disabled=${this.busy}>${t('selfhelp.thoughts.save')}</button>
    </form>`;
  }

  private renderRecord(r: ThoughtRecord) {
    return html`<li>
      <h3>${formatDate(r.written_at)} ${formatTime(r.written_at)}</h3>
      <p>${r.situation}</p>
      <p><strong>${t('selfhelp.thoughts.hot')}:</strong> ${r.automatic_thoughts[r.hot_thought]}</p>
      <p><strong>${t('selfhelp.thoughts.balanced')}:</strong> ${r.balanced_thought}</p>
      <ul>${r.change.map((c) => html`<li>${changeLine(c)}</li>`)}</ul>
      <p>${t(r.shared ? 'selfhelp.thoughts.isShared' : 'selfhelp.thoughts.isPrivate')}</p>
      <button class="button" type="button" @click=${() => this.toggleShare(r)}>
        ${t(r.shared ? 'selfhelp.thoughts.unshare' : 'selfhelp.thoughts.shareNow')}
      </button>
    </li>`;
  }

  override render() {
    return html`
      <div class="page-intro">
        <h1>${t('selfhelp.thoughts.title')}</h1>
        <p class="lead">${t('selfhelp.thoughts.intro')}</p>
        <p><a href="/wellbeing/self-help">${t('selfhelp.back')}</a></p>
        <div class="form-error" role="alert">${this.error || nothing}</div>
      </div>
      ${this.crisis ? crisisPanel(this.crisis) : nothing}
      ${
        this.saved
          ? html`<section class="panel" aria-labelledby="saved-title">
              <h2 id="saved-title" tabindex="-1">${t('selfhelp.thoughts.saved')}</h2>
              <ul id="saved-change">${this.saved.change.map((c) => html`<li class="change-down">${changeLine(c)}</li>`)}</ul>
            </section>`
          : nothing
      }
      ${this.renderForm()}
      <section class="panel" aria-labelledby="past-title">
        <h2 id="past-title">${t('selfhelp.thoughts.past')}</h2>
        ${
          this.records.length
            ? html`<ul class="thought-list">${this.records.map((r) => this.renderRecord(r))}</ul>`
            : html`<p>${t('selfhelp.thoughts.none')}</p>`
        }
      </section>
    `;
  }
}

customElements.define('cv-thought-records-page', ThoughtRecordsPage);
