/**
 * "Exposure therapy" (`/wellbeing/exposure`, patients): the steps their therapist prepared, and
 * a session on one of them: SUDS before, every minute during (prompted) and after; the scene in
 * 3D (three.js, "Enter VR" where WebXR offers it) or in words (2D / low motion); one-action Pause
 * (the P key or the button, always visible); the therapist's intensity changes and stop arrive
 * live (server-sent events); the simulator sickness questionnaire after the session.
 *
 * SUDS input without a voice: keys 0-9 answer 0-90, arrows change the value and Enter sends it,
 * the buttons 0-100 (touch), or a gamepad (d-pad up/down, button A sends).
 */
import { html, nothing } from 'lit';
import type { Account } from '../../api/auth';
import {
  answerSsq,
  command,
  getSession,
  myHierarchies,
  mySessions,
  rateSuds,
  startSession,
  watchExposure,
  type ExposureChange,
  type ExposureSession,
  type Hierarchy,
  type SudsPhase,
} from '../../api/exposure';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { chooseMode, worldSettings } from '../../world/settings';
import type { ExposureScene } from './exposure-scene';
import { betweenSessionsChart, describeScene, sessionsTable, withinSessionChart } from './exposure-charts';
import './exposure.css';

export const SSQ_SYMPTOMS = [
  'general_discomfort', 'fatigue', 'headache', 'eyestrain', 'difficulty_focusing',
  'increased_salivation', 'sweating', 'nausea', 'difficulty_concentrating', 'fullness_of_head',
  'blurred_vision', 'dizzy_eyes_open', 'dizzy_eyes_closed', 'vertigo', 'stomach_awareness', 'burping',
] as const;
const SSQ_LEVELS: MessageKey[] = ['exposure.ssq.none', 'exposure.ssq.slight', 'exposure.ssq.moderate', 'exposure.ssq.severe'];
const COMFORT_KEY = 'careverse.exposure.comfort';

interface Comfort {
  vignette: boolean;
  still: boolean;
  lowMotion: boolean;
}

function loadComfort(): Comfort {
  const reduced = worldSettings().reducedMotion;
  try {
    const saved = JSON.parse(localStorage.getItem(COMFORT_KEY) ?? '{}') as Partial<Comfort>;
    return { vignette: saved.vignette ?? false, still: saved.still ?? reduced, lowMotion: saved.lowMotion ?? reduced };
  } catch {
    return { vignette: false, still: reduced, lowMotion: reduced };
  }
}

/** Seconds between the SUDS prompts during a session (a minute; tests may shorten it). */
function promptSeconds(): number {
  const chosen = Number(localStorage.getItem('careverse.exposure.promptSeconds'));
  return Number.isFinite(chosen) && chosen > 0 ? chosen : 60;
}

export class ExposurePage extends LightElement {
  static override properties = {
    account: { attribute: false },
    hierarchies: { state: true },
    sessions: { state: true },
    current: { state: true },
    prompt: { state: true },
    pending: { state: true },
    ssqAnswers: { state: true },
    ssqOpen: { state: true },
    comfort: { state: true },
    notice: { state: true },
    error: { state: true },
    busy: { state: true },
  };

  declare account: Account | null;
  declare hierarchies: Hierarchy[];
  declare sessions: ExposureSession[];
  declare current: ExposureSession | null;
  declare prompt: SudsPhase | null;
  declare pending: number;
  declare ssqAnswers: (number | null)[];
  declare ssqOpen: boolean;
  declare comfort: Comfort;
  declare notice: string;
  declare error: string;
  declare busy: boolean;

  private scene: ExposureScene | null = null;
  private sceneLoading = false;
  private readonly mode = chooseMode(location.search);
  private promptTimer: number | null = null;
  private gamepadTimer: number | null = null;
  private gamepadHeld = new Set<number>();
  private stopWatching: (() => void) | null = null;
  private readonly onKey = (event: KeyboardEvent) => this.key(event);

  constructor() {
    super();
    this.account = null;
    this.hierarchies = [];
    this.sessions = [];
    this.current = null;
    this.prompt = null;
    this.pending = 50;
    this.ssqAnswers = SSQ_SYMPTOMS.map(() => null);
    this.ssqOpen = false;
    this.comfort = loadComfort();
    this.notice = '';
    this.error = '';
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('keydown', this.onKey);
    void this.load();
    const patientId = this.account?.patient_id;
    if (patientId) this.stopWatching = watchExposure(patientId, (change) => void this.changed(change));
  }

  override disconnectedCallback(): void {
    document.removeEventListener('keydown', this.onKey);
    this.stopWatching?.();
    this.clearPromptTimer();
    this.stopGamepad();
    this.scene?.dispose();
    this.scene = null;
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    try {
      [this.hierarchies, this.sessions] = await Promise.all([myHierarchies(), mySessions()]);
      const open = [...this.sessions].reverse().find((s) => s.status !== 'ended');
      if (open && !this.current) this.adopt(open);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** Take a session as the current one, asking for the rating it still needs. */
  private adopt(session: ExposureSession): void {
    this.current = session;
    if (session.status === 'ended') {
      this.ask(session.suds.some((s) => s.phase === 'after') ? null : 'after');
      if (!this.prompt && !session.ssq) this.ssqOpen = true;
    } else if (!session.suds.some((s) => s.phase === 'before')) {
      this.ask('before');
    } else {
      this.schedulePrompt();
    }
  }

  private async changed(change: ExposureChange): Promise<void> {
    const current = this.current;
    if (current && change.session_id !== current.id) return;
    if (!current && change.kind !== 'started') return;
    try {
      const session = await getSession(change.session_id);
      if (!current) {
        this.adopt(session);
        return;
      }
      const wasEnded = current.status === 'ended';
      this.current = session;
      if (session.status === 'ended' && !wasEnded) {
        this.clearPromptTimer();
        const byTherapist = session.events.at(-1)?.role === 'clinician';
        this.notice = t(byTherapist ? 'exposure.session.stoppedByTherapist' : 'exposure.session.ended');
        this.ask('after');
      } else if (session.status === 'paused') {
        this.clearPromptTimer();
      } else if (session.status === 'active' && current.status === 'paused') {
        this.schedulePrompt();
      }
    } catch (error) {
      this.error = describeError(error);
    }
  }

  // ---- SUDS ------------------------------------------------------------------------------

  private ask(phase: SudsPhase | null): void {
    this.prompt = phase;
    this.pending = this.current?.suds.at(-1)?.value ?? 50;
    if (phase) {
      this.startGamepad();
      void this.focusById('suds-title');
    } else {
      this.stopGamepad();
    }
  }

  private schedulePrompt(): void {
    this.clearPromptTimer();
    this.promptTimer = window.setTimeout(() => {
      this.promptTimer = null;
      if (this.current?.status === 'active' && !this.prompt) this.ask('during');
    }, promptSeconds() * 1000);
  }

  private clearPromptTimer(): void {
    if (this.promptTimer !== null) window.clearTimeout(this.promptTimer);
    this.promptTimer = null;
  }

  private async rate(value: number): Promise<void> {
    const session = this.current;
    const phase = this.prompt;
    if (!session || !phase || this.busy) return;
    this.busy = true;
    try {
      this.current = await rateSuds(session.id, phase, value);
      this.notice = t('exposure.suds.sent', { value });
      this.ask(null);
      if (phase === 'after') {
        this.ssqOpen = true;
        void this.focusById('ssq-title');
      } else if (this.current.status === 'active') {
        this.schedulePrompt();
      }
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  private key(event: KeyboardEvent): void {
    if (!this.current || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement | null;
    if (target?.closest('input, textarea, select')) return;
    if ((event.key === 'p' || event.key === 'P') && this.current.status !== 'ended') {
      event.preventDefault();
      void this.togglePause();
      return;
    }
    if (!this.prompt) return;
    // The scale runs the way the text does: right to left, the left arrow goes up it.
    const [up, down] = document.dir === 'rtl' ? ['ArrowLeft', 'ArrowRight'] : ['ArrowRight', 'ArrowLeft'];
    if (/^[0-9]$/.test(event.key)) {
      event.preventDefault();
      void this.rate(Number(event.key) * 10);
    } else if (event.key === 'ArrowUp' || event.key === up) {
      event.preventDefault();
      this.pending = Math.min(100, this.pending + 10);
    } else if (event.key === 'ArrowDown' || event.key === down) {
      event.preventDefault();
      this.pending = Math.max(0, this.pending - 10);
    } else if (event.key === 'Enter' && !target?.closest('button, a')) {
      event.preventDefault();
      void this.rate(this.pending);
    }
  }

  /** A controller: d-pad up/down change the value, the first button sends it. */
  private startGamepad(): void {
    if (this.gamepadTimer !== null || !('getGamepads' in navigator)) return;
    this.gamepadTimer = window.setInterval(() => {
      for (const pad of navigator.getGamepads()) {
        if (!pad) continue;
        for (const [index, change] of [[12, 10], [13, -10], [0, 0]] as const) {
          const pressed = pad.buttons[index]?.pressed ?? false;
          if (pressed && !this.gamepadHeld.has(index)) {
            if (index === 0) void this.rate(this.pending);
            else this.pending = Math.max(0, Math.min(100, this.pending + change));
          }
          if (pressed) this.gamepadHeld.add(index);
          else this.gamepadHeld.delete(index);
        }
      }
    }, 100);
  }

  private stopGamepad(): void {
    if (this.gamepadTimer !== null) window.clearInterval(this.gamepadTimer);
    this.gamepadTimer = null;
  }

  // ---- commands --------------------------------------------------------------------------

  private async start(hierarchy: Hierarchy, step: number): Promise<void> {
    this.error = '';
    this.notice = '';
    try {
      this.adopt(await startSession(hierarchy.id, step));
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async togglePause(): Promise<void> {
    const session = this.current;
    if (!session || session.status === 'ended') return;
    try {
      this.current = await command(session.id, session.status === 'paused' ? 'resume' : 'pause');
      if (this.current.status === 'paused') this.clearPromptTimer();
      else this.schedulePrompt();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async stop(): Promise<void> {
    const session = this.current;
    if (!session || session.status === 'ended') return;
    try {
      this.current = await command(session.id, 'stop');
      this.clearPromptTimer();
      this.notice = t('exposure.session.ended');
      this.ask('after');
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async sendSsq(event: Event): Promise<void> {
    event.preventDefault();
    const session = this.current;
    if (!session) return;
    try {
      const done = await answerSsq(session.id, this.ssqAnswers.map((a) => a ?? 0));
      this.notice = t('exposure.ssq.total', { total: done.ssq?.total ?? 0 });
      this.ssqOpen = false;
      this.current = null;
      this.ssqAnswers = SSQ_SYMPTOMS.map(() => null);
      this.sessions = await mySessions();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private setComfort(change: Partial<Comfort>): void {
    this.comfort = { ...this.comfort, ...change };
    localStorage.setItem(COMFORT_KEY, JSON.stringify(this.comfort));
    this.scene?.setComfort({ still: this.comfort.still });
  }

  // ---- the scene -------------------------------------------------------------------------

  private showing3d(): boolean {
    const s = this.current;
    return !!s && s.status !== 'ended' && this.prompt !== 'before' && this.mode === '3d' && !this.comfort.lowMotion;
  }

  override updated(): void {
    const stage = this.querySelector<HTMLElement>('#exposure-stage');
    const session = this.current;
    if (stage && session) {
      stage.dataset.scene = session.scene.scene;
      stage.dataset.sceneParams = JSON.stringify(session.scene);
    }
    if (!this.showing3d() || !stage || !session) {
      if (this.scene) {
        this.scene.dispose();
        this.scene = null;
      }
      return;
    }
    if (!this.scene) {
      if (this.sceneLoading) return;
      this.sceneLoading = true;
      void import('./exposure-scene')
        .then(({ ExposureScene }) => {
          this.sceneLoading = false;
          const here = this.querySelector<HTMLElement>('#exposure-stage');
          if (!here || !this.showing3d()) return;
          try {
            this.scene = new ExposureScene(here, { still: this.comfort.still }, this.querySelector('#exposure-vr'));
          } catch {
            this.setComfort({ lowMotion: true }); // no WebGL here: the scene in words
            return;
          }
          this.requestUpdate();
        })
        .catch(() => {
          this.sceneLoading = false;
          this.setComfort({ lowMotion: true });
        });
      return;
    }
    this.scene.apply(session.scene);
    if (session.status === 'paused') {
      this.scene.stop();
      this.scene.mute(true);
    } else {
      this.scene.mute(false);
      this.scene.start();
    }
  }

  // ---- rendering -------------------------------------------------------------------------

  private renderPrompt(phase: SudsPhase) {
    const question: MessageKey =
      phase === 'before' ? 'exposure.suds.before' : phase === 'after' ? 'exposure.suds.after' : 'exposure.suds.question';
    return html`
      <section class="panel suds-prompt" aria-labelledby="suds-title">
        <h2 id="suds-title" tabindex="-1">${t(question)}</h2>
        <p class="hint" id="suds-keys">${t('exposure.suds.keys')}</p>
        <div class="suds-buttons" role="group" aria-labelledby="suds-title" aria-describedby="suds-keys">
          ${Array.from({ length: 11 }, (_, i) => i * 10).map(
            (value) => html`<button
              class="button ${value === this.pending ? 'button--primary' : ''}"
              type="button"
              @click=${() => void this.rate(value)}
            >${value}</button>`,
          )}
        </div>
        <p aria-live="polite">${t('exposure.suds.selected', { value: this.pending })}</p>
      </section>
    `;
  }

  private renderSsq() {
    return html`
      <form class="panel" novalidate @submit=${this.sendSsq} aria-labelledby="ssq-title">
        <h2 id="ssq-title" tabindex="-1">${t('exposure.ssq.title')}</h2>
        <p>${t('exposure.ssq.intro')}</p>
        ${SSQ_SYMPTOMS.map(
          (symptom, index) => html`
            <fieldset class="field ssq-item">
              <legend>${t(`exposure.ssq.${symptom}` as MessageKey)}</legend>
              ${SSQ_LEVELS.map(
                (level, value) => html`<div class="choice">
                  <input
                    id="ssq-${symptom}-${value}"
                    type="radio"
                    name="ssq-${symptom}"
                    .checked=${this.ssqAnswers[index] === value}
                    @change=${() => {
                      const next = [...this.ssqAnswers];
                      next[index] = value;
                      this.ssqAnswers = next;
                    }}
                  />
                  <label for="ssq-${symptom}-${value}">${t(level)}</label>
                </div>`,
              )}
            </fieldset>
          `,
        )}
        <div class="actions">
          <button class="button button--primary" type="submit">${t('exposure.ssq.send')}</button>
        </div>
      </form>
    `;
  }

  private renderSession(session: ExposureSession) {
    const paused = session.status === 'paused';
    const ended = session.status === 'ended';
    const in3d = this.showing3d();
    return html`
      <section class="panel exposure-session" aria-labelledby="session-title">
        <h2 id="session-title">${t('exposure.session.title', { number: session.step + 1, description: session.description })}</h2>
        <div class="exposure-bar">
          ${ended
            ? html`<p role="status">${t('exposure.session.ended')}</p>`
            : html`<button class="button button--primary exposure-pause" type="button" aria-keyshortcuts="p"
                  @click=${() => void this.togglePause()}>
                  ${paused ? t('exposure.session.resume') : t('exposure.session.pause')}
                </button>
                <button class="button" type="button" @click=${() => void this.stop()}>${t('exposure.session.stop')}</button>`}
          <span id="exposure-vr"></span>
          <span class="exposure-intensity">${t('exposure.session.intensity', { intensity: session.intensity })}</span>
        </div>
        ${paused ? html`<p class="exposure-paused" role="status">${t('exposure.session.paused')}</p>` : nothing}
        ${session.progression_suggested && !ended
          ? html`<p role="status">${t('exposure.session.progression')}</p>`
          : nothing}
        <div
          id="exposure-stage"
          class="exposure-stage ${in3d ? 'exposure-stage--3d' : ''} ${paused ? 'exposure-stage--paused' : ''}"
          role="region"
          aria-label=${t('exposure.scene.region')}
        >
          ${in3d && this.comfort.vignette ? html`<div class="exposure-vignette"></div>` : nothing}
          ${!in3d && !ended && this.prompt !== 'before'
            ? html`<p class="exposure-words"><strong>${t('exposure.scene.twoD')}:</strong> ${paused ? '' : describeScene(session.scene)}</p>`
            : nothing}
        </div>
        ${withinSessionChart(session)}
      </section>
    `;
  }

  private renderComfort() {
    const box = (key: keyof Comfort, label: MessageKey) => html`<div class="choice">
      <input id="comfort-${key}" type="checkbox" .checked=${this.comfort[key]}
        @change=${(e: Event) => this.setComfort({ [key]: (e.target as HTMLInputElement).checked })} />
      <label for="comfort-${key}">${t(label)}</label>
    </div>`;
    return html`<fieldset class="field exposure-comfort">
      <legend>${t('exposure.comfort.title')}</legend>
      ${box('vignette', 'exposure.comfort.vignette')} ${box('still', 'exposure.comfort.still')}
      ${box('lowMotion', 'exposure.comfort.lowMotion')}
    </fieldset>`;
  }

  private renderSteps() {
    const ready = this.hierarchies.filter((h) => h.ready);
    if (ready.length === 0) return html`<p>${t('exposure.steps.none')}</p>`;
    return ready.map(
      (h) => html`<h3>${h.title}</h3>
        <ol class="exposure-steps">
          ${h.steps.map(
            (step, i) => html`<li>
              <span>${step.description} · ${t(`exposure.scene.${step.scene}` as MessageKey)} ·
                ${t('exposure.step.expected', { suds: step.expected_suds })}</span>
              <button class="button" type="button" @click=${() => void this.start(h, i)}>
                ${t('exposure.step.start', { number: i + 1 })}
              </button>
            </li>`,
          )}
        </ol>`,
    );
  }

  override render() {
    const session = this.current;
    return html`
      <div class="page-intro">
        <h1>${t('exposure.title')}</h1>
        <p class="lead">${t('exposure.intro')}</p>
        <div class="form-error" role="alert">${this.error || nothing}</div>
        <p role="status" class="exposure-notice">${this.notice || nothing}</p>
      </div>
      ${this.prompt ? this.renderPrompt(this.prompt) : nothing}
      ${session ? this.renderSession(session) : nothing}
      ${this.ssqOpen && session ? this.renderSsq() : nothing}
      ${session
        ? nothing
        : html`<section class="panel" aria-labelledby="steps-title">
            <h2 id="steps-title">${t('exposure.steps.title')}</h2>
            ${this.renderSteps()}
          </section>`}
      <section class="panel" aria-labelledby="comfort-title">
        <h2 id="comfort-title">${t('exposure.comfort.title')}</h2>
        ${this.renderComfort()}
      </section>
      <section class="panel" aria-labelledby="history-title">
        <h2 id="history-title">${t('exposure.history.title')}</h2>
        ${betweenSessionsChart(this.sessions)} ${sessionsTable(this.sessions)}
      </section>
    `;
  }
}

customElements.define('cv-exposure-page', ExposurePage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-exposure-page': ExposurePage;
  }
}
