/**
 * The therapist's exposure page (`/patients/:id/exposure`, clinicians with a care relationship):
 * the fear hierarchy builder (10-15 steps once ready; the server says what is wrong), the steps
 * to start, the live session (current step, the scene in words, SUDS within the session, an
 * intensity slider, pause/resume and stop; the patient's ratings and pauses arrive live), and
 * the sessions over time (SUDS between sessions, adherence, SSQ).
 */
import { html, nothing } from 'lit';
import {
  command,
  createHierarchy,
  getSession,
  patientHierarchies,
  patientSessions,
  startSession,
  updateHierarchy,
  watchExposure,
  type Command,
  type ExposureChange,
  type ExposureSession,
  type Hierarchy,
  type Scene,
  type Step,
} from '../../api/exposure';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { betweenSessionsChart, describeScene, sessionsTable, withinSessionChart } from './exposure-charts';
import './exposure.css';

const SCENES: Scene[] = ['heights', 'crowd', 'spider', 'speaking'];

function blankStep(): Step {
  return { description: '', scene: 'heights', height_m: 2, crowd_density: null, proximity_m: null, noise: 0.2, expected_suds: 30 };
}

export class ExposureTherapistPage extends LightElement {
  static override properties = {
    patientId: { attribute: 'patient-id' },
    hierarchy: { state: true },
    hierarchyTitle: { state: true },
    steps: { state: true },
    ready: { state: true },
    sessions: { state: true },
    live: { state: true },
    message: { state: true },
    error: { state: true },
  };

  declare patientId: string;
  declare hierarchy: Hierarchy | null;
  declare hierarchyTitle: string;
  declare steps: Step[];
  declare ready: boolean;
  declare sessions: ExposureSession[];
  declare live: ExposureSession | null;
  declare message: string;
  declare error: string;
  private stopWatching: (() => void) | null = null;

  constructor() {
    super();
    this.patientId = '';
    this.hierarchy = null;
    this.hierarchyTitle = '';
    this.steps = [blankStep()];
    this.ready = false;
    this.sessions = [];
    this.live = null;
    this.message = '';
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    this.stopWatching = watchExposure(this.patientId, (change) => void this.changed(change));
  }

  override disconnectedCallback(): void {
    this.stopWatching?.();
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    try {
      const [hierarchies, sessions] = await Promise.all([
        patientHierarchies(this.patientId),
        patientSessions(this.patientId),
      ]);
      this.sessions = sessions;
      const latest = hierarchies.at(-1) ?? null;
      if (latest) this.edit(latest);
      this.live = [...sessions].reverse().find((s) => s.status !== 'ended') ?? null;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private edit(hierarchy: Hierarchy): void {
    this.hierarchy = hierarchy;
    this.hierarchyTitle = hierarchy.title;
    this.steps = hierarchy.steps.map((s) => ({ ...s }));
    this.ready = hierarchy.ready;
  }

  private async changed(change: ExposureChange): Promise<void> {
    try {
      const session = await getSession(change.session_id);
      if (!this.live || this.live.id === session.id || change.kind === 'started') this.live = session;
      if (change.kind === 'paused' && session.events.at(-1)?.role === 'patient') {
        this.message = t('exposure.live.patientPaused');
      }
      if (change.kind === 'stopped' || change.kind === 'ssq' || change.kind === 'started') {
        this.sessions = await patientSessions(this.patientId);
      }
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private setStep(index: number, change: Partial<Step>): void {
    this.steps = this.steps.map((s, i) => (i === index ? { ...s, ...change } : s));
  }

  private async save(event: Event): Promise<void> {
    event.preventDefault();
    this.error = '';
    this.message = '';
    const body = { title: this.hierarchyTitle, steps: this.steps, ready: this.ready };
    try {
      const saved = this.hierarchy
        ? await updateHierarchy(this.hierarchy.id, body)
        : await createHierarchy(this.patientId, body);
      this.edit(saved);
      this.message = t('exposure.builder.saved');
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async start(step: number): Promise<void> {
    if (!this.hierarchy) return;
    try {
      this.live = await startSession(this.hierarchy.id, step);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async send(action: Command, value?: number): Promise<void> {
    if (!this.live) return;
    try {
      this.live = await command(this.live.id, action, value);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private number(label: MessageKey, id: string, value: number | null | undefined, min: number, max: number,
    step: number, set: (v: number | null) => void) {
    return html`<div class="field">
      <label for=${id}>${t(label)}</label>
      <input id=${id} type="number" inputmode="decimal" min=${min} max=${max} step=${step}
        .value=${value === null || value === undefined ? '' : String(value)}
        @input=${(e: Event) => {
          const raw = (e.target as HTMLInputElement).value;
          set(raw === '' ? null : Number(raw));
        }} />
    </div>`;
  }

  private renderStep(step: Step, i: number) {
    const id = (name: string) => `step-${i}-${name}`;
    return html`<fieldset class="field exposure-builder-step-set">
      <legend>${t('exposure.builder.step', { number: i + 1 })}</legend>
      <div class="exposure-builder-step">
        <div class="field">
          <label for=${id('description')}>${t('exposure.builder.description')}</label>
          <input id=${id('description')} type="text" maxlength="500" .value=${step.description}
            @input=${(e: Event) => this.setStep(i, { description: (e.target as HTMLInputElement).value })} />
        </div>
        <div class="field">
          <label for=${id('scene')}>${t('exposure.builder.scene')}</label>
          <select id=${id('scene')} @change=${(e: Event) => this.setStep(i, { scene: (e.target as HTMLSelectElement).value as Scene })}>
            ${SCENES.map((s) => html`<option value=${s} ?selected=${s === step.scene}>${t(`exposure.scene.${s}` as MessageKey)}</option>`)}
          </select>
        </div>
        ${this.number('exposure.builder.height', id('height'), step.height_m, 0, 1000, 0.5, (v) => this.setStep(i, { height_m: v }))}
        ${this.number('exposure.builder.density', id('density'), step.crowd_density, 0, 4, 0.1, (v) => this.setStep(i, { crowd_density: v }))}
        ${this.number('exposure.builder.proximity', id('proximity'), step.proximity_m, 0.1, 50, 0.1, (v) => this.setStep(i, { proximity_m: v }))}
        ${this.number('exposure.builder.noise', id('noise'), step.noise, 0, 1, 0.1, (v) => this.setStep(i, { noise: v }))}
        ${this.number('exposure.builder.expected', id('expected'), step.expected_suds, 0, 100, 5, (v) => this.setStep(i, { expected_suds: v ?? 0 }))}
      </div>
      <button class="button button--quiet" type="button" @click=${() => (this.steps = this.steps.filter((_, n) => n !== i))}>
        ${t('exposure.builder.remove', { number: i + 1 })}
      </button>
    </fieldset>`;
  }

  private renderBuilder() {
    return html`<form class="panel" novalidate @submit=${this.save} aria-labelledby="builder-title">
      <h2 id="builder-title">${t('exposure.builder.title')}</h2>
      <div class="field">
        <label for="hierarchy-title">${t('exposure.builder.name')}</label>
        <input id="hierarchy-title" type="text" maxlength="200" .value=${this.hierarchyTitle}
          @input=${(e: Event) => (this.hierarchyTitle = (e.target as HTMLInputElement).value)} />
      </div>
      ${this.steps.map((step, i) => this.renderStep(step, i))}
      <div class="actions">
        <button class="button" type="button" ?disabled=${this.steps.length >= 15}
          @click=${() => (this.steps = [...this.steps, blankStep()])}>${t('exposure.builder.add')}</button>
      </div>
      <div class="choice">
        <input id="hierarchy-ready" type="checkbox" .checked=${this.ready}
          @change=${(e: Event) => (this.ready = (e.target as HTMLInputElement).checked)} />
        <label for="hierarchy-ready">${t('exposure.builder.ready')}</label>
      </div>
      <div class="actions">
        <button class="button button--primary" type="submit">${t('exposure.builder.save')}</button>
      </div>
    </form>`;
  }

  private renderLive(session: ExposureSession) {
    const latest = session.suds.at(-1);
    const ended = session.status === 'ended';
    return html`
      <h3>${t('exposure.session.title', { number: session.step + 1, description: session.description })}</h3>
      <p class="exposure-live-status" role="status" data-status=${session.status}>
        ${t(`exposure.live.status.${session.status}` as MessageKey)}
      </p>
      <p class="exposure-live-latest" aria-live="polite">
        ${latest ? t('exposure.live.latest', { value: latest.value }) : t('exposure.live.noRating')}
      </p>
      ${session.progression_suggested ? html`<p role="status">${t('exposure.session.progression')}</p>` : nothing}
      <p>${describeScene(session.scene)}</p>
      ${ended
        ? nothing
        : html`<div class="field">
              <label for="live-intensity">${t('exposure.live.intensity')}</label>
              <input id="live-intensity" type="range" min="0" max="100" step="5" .value=${String(session.intensity)}
                aria-valuetext=${String(session.intensity)}
                @change=${(e: Event) => void this.send('intensity', Number((e.target as HTMLInputElement).value))} />
              <output for="live-intensity">${session.intensity}</output>
            </div>
            <div class="actions">
              <button class="button" type="button" @click=${() => void this.send(session.status === 'paused' ? 'resume' : 'pause')}>
                ${session.status === 'paused' ? t('exposure.session.resume') : t('exposure.session.pause')}
              </button>
              <button class="button button--primary" type="button" @click=${() => void this.send('stop')}>
                ${t('exposure.session.stop')}
              </button>
            </div>`}
      ${withinSessionChart(session)}
    `;
  }

  override render() {
    const ready = this.hierarchy?.ready ? this.hierarchy : null;
    return html`
      <div class="page-intro">
        <h1>${t('exposure.title')}</h1>
        <div class="form-error" role="alert">${this.error || nothing}</div>
        <p role="status">${this.message || nothing}</p>
      </div>
      <section class="panel" aria-labelledby="live-title">
        <h2 id="live-title">${t('exposure.live.title')}</h2>
        ${this.live ? this.renderLive(this.live) : html`<p>${t('exposure.live.none')}</p>`}
        ${ready
          ? html`<ol class="exposure-steps">
              ${ready.steps.map(
                (step, i) => html`<li><span>${step.description} · ${t('exposure.step.expected', { suds: step.expected_suds })}</span>
                  <button class="button" type="button" @click=${() => void this.start(i)}>
                    ${t('exposure.step.start', { number: i + 1 })}
                  </button></li>`,
              )}
            </ol>`
          : nothing}
      </section>
      ${this.renderBuilder()}
      <section class="panel" aria-labelledby="sessions-title">
        <h2 id="sessions-title">${t('exposure.history.title')}</h2>
        ${betweenSessionsChart(this.sessions)} ${sessionsTable(this.sessions)}
      </section>
    `;
  }
}

customElements.define('cv-exposure-therapist', ExposureTherapistPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-exposure-therapist': ExposureTherapistPage;
  }
}
