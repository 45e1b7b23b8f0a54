import { html, nothing } from 'lit';
import {
  chooseResonance,
  finishSession,
  mySessions,
  startSession,
  subscribeBeats,
  type BreathingSession,
  type HrvUpdate,
} from '../../api/breathing';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import './breath-pacer';
import './breathing.css';
import { bluetoothAvailable, connectStrap, RmssdWindow, type HeartRateMeasurement } from './heart-rate';

/** The paced rates the resonance finder tries, in order (Lehrer & Gevirtz: 4.5 to 7 a minute). */
export const FINDER_RATES = [6.5, 6, 5.5, 5, 4.5];
const PACER_RATES = [4, 4.5, 5, 5.5, 6, 6.5, 7];

type Stage = 'before' | 'finding' | 'breathing' | 'after' | 'done';

/**
 * "Breathe" (/wellbeing/breathe): paced breathing with a visual pacer (and an optional tone),
 * stress rated 0-10 before and after, and live biofeedback: heart rate and RMSSD over the last
 * 30 s from a wearable that sends RR intervals through the monitoring ingest (the server's
 * stream), or from a Bluetooth heart-rate strap connected here (computed in the page with the
 * same rules). The resonance finder paces several rates and the server picks the one with the
 * largest heart-rate swing per breath. Past sessions are listed below.
 */
export class BreathingPage extends LightElement {
  static override properties = {
    stage: { state: true },
    mode: { state: true },
    rate: { state: true },
    stressBefore: { state: true },
    stressAfter: { state: true },
    audio: { state: true },
    trialMinutes: { state: true },
    trialIndex: { state: true },
    trialLeft: { state: true },
    live: { state: true },
    streaming: { state: true },
    source: { state: true },
    session: { state: true },
    history: { state: true },
    busy: { state: true },
    error: { state: true },
  };

  declare stage: Stage;
  declare mode: 'paced' | 'resonance';
  declare rate: number;
  declare stressBefore: number;
  declare stressAfter: number;
  declare audio: boolean;
  declare trialMinutes: number;
  declare trialIndex: number;
  declare trialLeft: number;
  declare live: { rmssd: number | null; heartRate: number | null; beats: number } | null;
  declare source: 'stream' | 'bluetooth' | null;
  /** The server's beat stream is open (a wearable's beats will show as they come). */
  declare streaming: boolean;
  declare session: BreathingSession | null;
  declare history: BreathingSession[];
  declare busy: boolean;
  declare error: string;

  /** Every beat seen during the session (sent when it finishes), and per finder rate. */
  private beats: number[] = [];
  private trials: number[][] = [];
  private stopStream: (() => void) | null = null;
  private stopStrap: (() => void) | null = null;
  private finderTimer: number | null = null;
  private strapWindow = new RmssdWindow(30);
  private strapClock: number | null = null;

  constructor() {
    super();
    this.stage = 'before';
    this.mode = 'paced';
    this.rate = 6;
    this.stressBefore = 5;
    this.stressAfter = 5;
    this.audio = false;
    this.trialMinutes = 2;
    this.trialIndex = 0;
    this.trialLeft = 0;
    this.live = null;
    this.source = null;
    this.streaming = false;
    this.session = null;
    this.history = [];
    this.busy = false;
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopStream = subscribeBeats({
      update: (u) => this.onStream(u),
      connected: () => (this.streaming = true),
    });
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopStream?.();
    this.stopStrap?.();
    this.stopFinder();
  }

  private async load(): Promise<void> {
    try {
      this.history = await mySessions();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  // ---- beats in ------------------------------------------------------------------------------

  private collect(rr: number[]): void {
    if (this.stage !== 'finding' && this.stage !== 'breathing') return;
    this.beats.push(...rr);
    if (this.stage === 'finding') this.trials[this.trialIndex]?.push(...rr);
  }

  private onStream(update: HrvUpdate): void {
    if (this.source === 'bluetooth') return;
    this.source = 'stream';
    this.live = { rmssd: update.rmssd, heartRate: update.heart_rate, beats: update.beats };
    this.collect(update.rr_ms);
  }

  private onStrap(m: HeartRateMeasurement): void {
    this.source = 'bluetooth';
    // Each beat is timed from the one before it (the strap's own clock); when the beats fall
    // more than 2 s behind the page's clock (beats were lost), they are timed from now again.
    const now = performance.now() / 1000;
    const total = m.rrMs.reduce((sum, rr) => sum + rr, 0) / 1000;
    if (this.strapClock === null || this.strapClock + total < now - 2) this.strapClock = now - total;
    for (const rr of m.rrMs) {
      this.strapClock += rr / 1000;
      this.strapWindow.add(this.strapClock, rr);
    }
    this.live = {
      rmssd: this.strapWindow.rmssd(),
      heartRate: this.strapWindow.heartRate() ?? m.heartRate,
      beats: this.strapWindow.count,
    };
    this.collect(m.rrMs);
  }

  private async connect(): Promise<void> {
    this.error = '';
    try {
      this.stopStrap?.();
      this.stopStrap = await connectStrap((m) => this.onStrap(m));
    } catch (error) {
      this.error = describeError(error);
    }
  }

  // ---- the session ---------------------------------------------------------------------------

  private async start(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    this.busy = true;
    this.error = '';
    try {
      const rate = this.mode === 'resonance' ? FINDER_RATES[0]! : this.rate;
      this.session = await startSession(this.mode, rate, this.stressBefore);
      this.beats = [];
      if (this.mode === 'resonance') {
        this.trials = FINDER_RATES.map(() => []);
        this.trialIndex = 0;
        this.rate = rate;
        this.stage = 'finding';
        this.trialLeft = this.trialMinutes * 60;
        this.finderTimer = window.setInterval(() => void this.finderTick(), 1000);
      } else {
        this.stage = 'breathing';
      }
      void this.focusById('breathing-title');
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  private stopFinder(): void {
    if (this.finderTimer !== null) window.clearInterval(this.finderTimer);
    this.finderTimer = null;
  }

  private async finderTick(): Promise<void> {
    this.trialLeft -= 1;
    if (this.trialLeft > 0) return;
    if (this.trialIndex + 1 < FINDER_RATES.length) {
      this.trialIndex += 1;
      this.rate = FINDER_RATES[this.trialIndex]!;
      this.trialLeft = this.trialMinutes * 60;
      return;
    }
    this.stopFinder();
    await this.chooseRate();
  }

  private async chooseRate(): Promise<void> {
    const session = this.session;
    if (!session) return;
    const trials = FINDER_RATES.map((rate, i) => ({ rate, rr_ms: this.trials[i] ?? [] })).filter(
      (trial) => trial.rr_ms.length > 0,
    );
    try {
      if (trials.length < 2) throw new Error(t('breathing.finder.noBeats'));
      this.session = await chooseResonance(session.id, trials);
      this.rate = this.session.rate;
    } catch (error) {
      this.error = describeError(error);
      this.rate = 6;
    }
    this.stage = 'breathing';
    void this.focusById('breathing-title');
  }

  private async skipFinder(): Promise<void> {
    this.stopFinder();
    await this.chooseRate();
  }

  private stop(): void {
    this.stopFinder();
    this.stage = 'after';
    void this.focusById('after-title');
  }

  private async finish(event: Event): Promise<void> {
    event.preventDefault();
    const session = this.session;
    if (!session || this.busy) return;
    this.busy = true;
    this.error = '';
    try {
      this.session = await finishSession(session.id, this.stressAfter, this.beats.slice(0, 20_000));
      this.stage = 'done';
      this.history = await mySessions();
      void this.focusById('done-title');
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  private again(): void {
    this.stage = 'before';
    this.session = null;
    this.beats = [];
  }

  // ---- rendering -----------------------------------------------------------------------------

  private renderStress(id: string, value: number, set: (v: number) => void) {
    return html`
      <div class="field">
        <label for=${id}>${t(id === 'stress-before' ? 'breathing.stress.before' : 'breathing.stress.after')}</label>
        <div class="stress-scale">
          <span aria-hidden="true">0</span>
          <input
            id=${id}
            type="range"
            min="0"
            max="10"
            step="1"
            .value=${String(value)}
            aria-valuetext=${t('breathing.stress.value', { value })}
            @input=${(e: Event) => set(Number((e.target as HTMLInputElement).value))}
          />
          <span aria-hidden="true">10</span>
          <output for=${id} aria-hidden="true">${value}</output>
        </div>
        <p class="field-hint">${t('breathing.stress.hint')}</p>
      </div>
    `;
  }

  private renderLive() {
    const live = this.live;
    const rmssd = live?.rmssd;
    return html`
      <section class="panel" aria-labelledby="live-title" data-stream=${this.streaming ? 'connected' : 'closed'}>
        <h2 id="live-title">${t('breathing.live.title')}</h2>
        ${
          live
            ? html`<dl class="biofeedback">
                <div>
                  <dt id="live-hr">${t('breathing.live.heartRate')}</dt>
                  <dd aria-labelledby="live-hr" data-live="heart-rate">
                    ${live.heartRate == null ? '—' : t('breathing.live.bpm', { value: live.heartRate.toFixed(0) })}
                  </dd>
                </div>
                <div>
                  <dt id="live-rmssd">${t('breathing.live.rmssd')}</dt>
                  <dd aria-labelledby="live-rmssd" data-live="rmssd">
                    ${rmssd == null ? '—' : t('breathing.live.ms', { value: rmssd.toFixed(1) })}
                  </dd>
                </div>
                <div>
                  <dt id="live-beats">${t('breathing.live.beats')}</dt>
                  <dd aria-labelledby="live-beats">${live.beats}</dd>
                </div>
              </dl>
              <p class="field-hint">
                ${t(this.source === 'bluetooth' ? 'breathing.live.fromStrap' : 'breathing.live.fromWearable')}
              </p>`
            : html`<p>${t('breathing.live.waiting')}</p>`
        }
        ${
          bluetoothAvailable()
            ? html`<button class="button" type="button" @click=${this.connect}>${t('breathing.live.connect')}</button>`
            : nothing
        }
      </section>
    `;
  }

  private renderBefore() {
    return html`
      <form class="panel" novalidate @submit=${this.start} aria-labelledby="before-title">
        <h2 id="before-title" tabindex="-1">${t('breathing.before.title')}</h2>
        ${this.renderStress('stress-before', this.stressBefore, (v) => (this.stressBefore = v))}
        <fieldset class="field">
          <legend>${t('breathing.mode.legend')}</legend>
          <div class="choice">
            <input id="mode-paced" type="radio" name="mode" .checked=${this.mode === 'paced'}
              @change=${() => (this.mode = 'paced')} />
            <label for="mode-paced">${t('breathing.mode.paced')}</label>
          </div>
          <div class="choice">
            <input id="mode-resonance" type="radio" name="mode" .checked=${this.mode === 'resonance'}
              @change=${() => (this.mode = 'resonance')} />
            <label for="mode-resonance">${t('breathing.mode.resonance')}</label>
          </div>
        </fieldset>
        ${
          this.mode === 'paced'
            ? html`<div class="field">
                <label for="rate">${t('breathing.rate')}</label>
                <select id="rate" @change=${(e: Event) => (this.rate = Number((e.target as HTMLSelectElement).value))}>
                  ${PACER_RATES.map((r) => html`<option value=${r} ?selected=${r === this.rate}>${t('breathing.perMinute', { rate: r })}</option>`)}
                </select>
              </div>`
            : html`<div class="field">
                <label for="trial-minutes">${t('breathing.finder.minutes')}</label>
                <select id="trial-minutes" @change=${(e: Event) => (this.trialMinutes = Number((e.target as HTMLSelectElement).value))}>
                  ${[1, 2, 3].map((m) => html`<option value=${m} ?selected=${m === this.trialMinutes}>${m}</option>`)}
                </select>
                <p class="field-hint">${t('breathing.finder.hint', { rates: FINDER_RATES.join(', ') })}</p>
              </div>`
        }
        <div class="actions">
          <button class="button button--primary" type="submit" aria-disabled=${this.busy ? 'true' : 'false'}>
            ${this.busy ? t('form.working') : t('breathing.start')}
          </button>
        </div>
      </form>
    `;
  }

  private renderBreathing() {
    const finding = this.stage === 'finding';
    return html`
      <section class="panel" aria-labelledby="breathing-title">
        <h2 id="breathing-title" tabindex="-1">
          ${finding ? t('breathing.finder.title') : t('breathing.breathing.title', { rate: this.rate })}
        </h2>
        ${
          finding
            ? html`<p>${t('breathing.finder.progress', {
                step: this.trialIndex + 1,
                steps: FINDER_RATES.length,
                rate: this.rate,
                left: this.trialLeft,
              })}</p>`
            : this.session?.resonance
              ? html`<p>${t('breathing.finder.chosen', { rate: this.session.resonance.rate })}</p>`
              : nothing
        }
        <cv-breath-pacer .rate=${this.rate} ?audio=${this.audio}></cv-breath-pacer>
        <div class="choice">
          <input id="audio" type="checkbox" .checked=${this.audio} @change=${(e: Event) => (this.audio = (e.target as HTMLInputElement).checked)} />
          <label for="audio">${t('breathing.audio')}</label>
        </div>
        <div class="actions">
          ${
            finding
              ? html`<button class="button" type="button" @click=${this.skipFinder}>${t('breathing.finder.skip')}</button>`
              : nothing
          }
          <button class="button button--primary" type="button" @click=${this.stop}>${t('breathing.stop')}</button>
        </div>
      </section>
    `;
  }

  private renderAfter() {
    return html`
      <form class="panel" novalidate @submit=${this.finish} aria-labelledby="after-title">
        <h2 id="after-title" tabindex="-1">${t('breathing.after.title')}</h2>
        ${this.renderStress('stress-after', this.stressAfter, (v) => (this.stressAfter = v))}
        <div class="actions">
          <button class="button button--primary" type="submit" aria-disabled=${this.busy ? 'true' : 'false'}>
            ${this.busy ? t('form.working') : t('breathing.save')}
          </button>
        </div>
      </form>
    `;
  }

  private renderDone(session: BreathingSession) {
    return html`
      <section class="panel" aria-labelledby="done-title">
        <h2 id="done-title" tabindex="-1">${t('breathing.done.title')}</h2>
        <p>${this.summary(session)}</p>
        <button class="button" type="button" @click=${this.again}>${t('breathing.again')}</button>
      </section>
    `;
  }

  private summary(s: BreathingSession): string {
    const parts = [
      t('breathing.perMinute', { rate: s.rate }),
      t('breathing.history.stress', { before: s.stress_before, after: s.stress_after ?? '—' }),
    ];
    if (s.duration_seconds != null) parts.push(t('breathing.history.minutes', { value: (s.duration_seconds / 60).toFixed(1) }));
    if (s.hrv?.rmssd != null) parts.push(t('breathing.history.rmssd', { value: s.hrv.rmssd.toFixed(1) }));
    return parts.join(' · ');
  }

  private renderHistory() {
    if (this.history.length === 0) return html`<p>${t('breathing.history.none')}</p>`;
    return html`
      <table class="table">
        <thead>
          <tr>
            <th scope="col">${t('breathing.history.when')}</th>
            <th scope="col">${t('breathing.history.kind')}</th>
            <th scope="col">${t('breathing.history.session')}</th>
          </tr>
        </thead>
        <tbody>
          ${this.history.map(
            (s) => html`<tr>
              <td>${new Date(s.started_at).toLocaleString()}</td>
              <td>${t(s.mode === 'resonance' ? 'breathing.mode.resonanceShort' : 'breathing.mode.pacedShort')}</td>
              <td>${this.summary(s)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    `;
  }

  override render() {
    const running = this.stage === 'finding' || this.stage === 'breathing';
    return html`
      <div class="page-intro">
        <p><a href="/wellbeing">${t('breathing.back')}</a></p>
        <h1>${t('breathing.title')}</h1>
        <p class="lead">${t('breathing.intro')}</p>
        <p data-garden-link><a href="/spaces">${t('garden.breathe.link')}</a>. ${t('garden.breathe.hint')}</p>
        <div class="form-error" role="alert">${this.error || nothing}</div>
      </div>
      ${this.stage === 'before' ? this.renderBefore() : nothing}
      ${running ? this.renderBreathing() : nothing}
      ${this.stage === 'after' ? this.renderAfter() : nothing}
      ${this.stage === 'done' && this.session ? this.renderDone(this.session) : nothing}
      ${this.renderLive()}
      <section class="panel" aria-labelledby="sessions-title">
        <h2 id="sessions-title">${t('breathing.history.title')}</h2>
        ${this.renderHistory()}
      </section>
    `;
  }
}

customElements.define('cv-breathing-page', BreathingPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-breathing-page': BreathingPage;
  }
}
