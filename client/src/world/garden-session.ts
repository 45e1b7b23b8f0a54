/**
 * A patient's breathing in a garden, saved as a breathing session (the same API as the
 * breathing page, `setting: 'garden'`; docs/wellbeing.md): stress before, the beats their
 * wearable sends while it runs (for the session's HRV summary), stress after.
 */
import { html, nothing } from 'lit';
import { finishSession, startSession, subscribeBeats, type BreathingSession } from '../api/breathing';
import { describeError } from '../components/errors';
import { LightElement } from '../components/light-element';
import { t } from '../i18n';

const SCORES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

export class GardenSession extends LightElement {
  static override properties = {
    prepare: { attribute: false },
    open: { state: true },
    saved: { state: true },
    busy: { state: true },
    error: { state: true },
  };

  /**
   * Called as the session starts: the pacer's rate (breaths a minute), starting the patient's
   * own pacer when nothing runs; null when the pacer's form is wrong (it says why).
   */
  declare prepare: () => number | null;
  declare open: BreathingSession | null;
  declare saved: BreathingSession | null;
  declare busy: boolean;
  declare error: string;

  private rr: number[] = [];
  private stopBeats: (() => void) | null = null;

  constructor() {
    super();
    this.prepare = () => 6;
    this.open = null;
    this.saved = null;
    this.busy = false;
    this.error = '';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopBeats?.();
    this.stopBeats = null;
  }

  private score(id: string): number {
    return Number(this.querySelector<HTMLSelectElement>(`#${id}`)?.value ?? 5);
  }

  private async start(): Promise<void> {
    const paced = this.prepare();
    if (paced === null) return;
    this.busy = true;
    this.error = '';
    try {
      const rate = Math.min(12, Math.max(3, paced));
      this.open = await startSession('paced', rate, this.score('garden-stress-before'), 'garden');
      this.saved = null;
      this.rr = [];
      this.stopBeats = subscribeBeats({ update: (u) => this.rr.push(...u.rr_ms) });
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  private async finish(): Promise<void> {
    const open = this.open;
    if (!open) return;
    this.busy = true;
    this.error = '';
    try {
      this.stopBeats?.();
      this.stopBeats = null;
      this.saved = await finishSession(open.id, this.score('garden-stress-after'), this.rr.slice(0, 20_000));
      this.open = null;
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  private select(id: string, label: string) {
    return html`<label for=${id}>${label}</label>
      <select id=${id}>
        ${SCORES.map((n) => html`<option value=${n} ?selected=${n === 5}>${n}</option>`)}
      </select>`;
  }

  override render() {
    const saved = this.saved;
    return html`<fieldset class="field garden-session" data-garden-session=${this.open ? 'open' : saved ? 'saved' : 'idle'}>
      <legend>${t('garden.session.title')}</legend>
      ${this.open
        ? html`<p>${t('garden.session.running')}</p>
            ${this.select('garden-stress-after', t('breathing.stress.after'))}
            <div class="actions">
              <button id="garden-session-finish" class="button button--primary" type="button" ?disabled=${this.busy}
                @click=${() => void this.finish()}>${t('garden.session.finish')}</button>
            </div>`
        : html`${this.select('garden-stress-before', t('breathing.stress.before'))}
            <div class="actions">
              <button id="garden-session-start" class="button button--secondary" type="button" ?disabled=${this.busy}
                @click=${() => void this.start()}>${t('garden.session.start')}</button>
            </div>`}
      <p role="status">${saved
        ? t('garden.session.saved', { before: saved.stress_before, after: saved.stress_after ?? '' })
        : nothing}</p>
      ${this.error ? html`<p class="form-error" role="alert">${this.error}</p>` : nothing}
    </fieldset>`;
  }
}

customElements.define('cv-garden-session', GardenSession);

declare global {
  interface HTMLElementTagNameMap {
    'cv-garden-session': GardenSession;
  }
}
