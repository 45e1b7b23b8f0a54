import { html, nothing, type PropertyValues } from 'lit';
import { catalogue, draft, drafts, type Catalogue, type DraftBrief, type Intervention } from '../../api/training';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { getAccount } from '../../session';
import {
  WorldConnection,
  type AvatarState,
  type LabLogEntry,
  type LabMessage,
} from '../../world/connection';
import '../monitoring/vitals-chart';
import './training.css';
import { formatValue } from '../monitoring/vitals';
import type { LabPatient3d } from '../../world/lab3d';
import type { Stage } from '../../world/stage';
import type { LessonView } from '../../world/connection';
import { LESSONS, type LessonState } from './lessons';
import './lesson-view';
import './lab-waveforms';
import { patientLook } from './lab-patient';
import { renderBedside, type BedsideView } from './lab-bedside';
import {
  MONITOR_SIGNS,
  actionLabel,
  clockText,
  paramsText,
  seriesOf,
  type VitalsRow,
} from './lab-vitals';

const CHART_EVERY_S = 5;
/** The lab's refusals (world/lab.py); the space's other errors are the space page's. */
const LAB_ERRORS = new Set([
  'forbidden', 'no_lab', 'spectator', 'no_run', 'paused', 'bad_action', 'lab_running', 'bad_scenario',
]);
const HISTORY = 720;

/**
 * The simulation lab (2D): the bedside monitor, the interventions panel (dose and route), the
 * event log, and the instructor's controls. The patient runs on the server (world/lab.py); this
 * page is one avatar in the training-lab space, sending and receiving the lab's messages.
 */
export class LabPage extends LightElement {
  static override properties = {
    drafts: { state: true },
    lesson: { state: true },
    spaceId: { type: String, attribute: 'space-id' },
    socket: { attribute: false },
    stage: { attribute: false },
    embedded: { type: Boolean },
    lab: { state: true },
    log: { state: true },
    history: { state: true },
    options: { state: true },
    chosen: { state: true },
    values: { state: true },
    error: { state: true },
    connected: { state: true },
    said: { state: true },
    bedside: { state: true },
  };

  declare spaceId: string;
  /** The space page's own connection (the lab inside the 3D/2D space); else the page opens one. */
  declare socket: WorldConnection | null;
  /** The space page's stage: in 3D the patient lies on a bed in the scene. */
  declare stage: Stage | null;
  declare embedded: boolean;
  declare lab: LabMessage | null;
  declare log: LabLogEntry[];
  declare history: VitalsRow[];
  declare options: Catalogue | null;
  declare drafts: DraftBrief[];
  declare lesson: LessonView | null;
  declare chosen: string;
  declare values: Record<string, string>;
  declare error: string;
  declare connected: boolean;
  declare said: string;
  declare bedside: BedsideView;

  private connection: WorldConnection | null = null;
  private names = new Map<string, string>();
  private stops: (() => void)[] = [];
  private base = Date.now() / 1000;
  private patient: LabPatient3d | null = null;
  private detachPatient: (() => void) | null = null;
  private patientScene: unknown = null;

  constructor() {
    super();
    this.spaceId = '';
    this.socket = null;
    this.stage = null;
    this.embedded = false;
    this.lab = null;
    this.log = [];
    this.history = [];
    this.options = null;
    this.drafts = [];
    this.lesson = null;
    this.chosen = 'oxygen';
    this.values = {};
    this.error = '';
    this.connected = false;
    this.said = '';
    this.bedside = '';
  }

  private get instructor(): boolean {
    return getAccount()?.role === 'clinician';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    catalogue().then(
      (found) => (this.options = found),
      (error: unknown) => (this.error = describeError(error)),
    );
    if (this.instructor) {
      drafts().then(
        (mine) => (this.drafts = mine),
        () => (this.drafts = []),
      );
    }
    // Embedded in a space page: its connection (one socket per person and space, or the
    // server would replace one with the other); else a connection of our own.
    if (this.embedded) this.bind(this.socket);
    else this.bind(new WorldConnection(this.spaceId)).connect();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.embedded && changed.has('socket') && this.socket !== this.connection) {
      this.bind(this.socket);
    }
  }

  private bind<C extends WorldConnection | null>(connection: C): C {
    for (const stop of this.stops) stop();
    this.stops = [];
    this.connection = connection;
    if (!connection) return connection;
    if (connection.welcome) {
      this.connected = true;
      this.remember(connection.welcome.avatars);
      if (connection.welcome.lab) this.receive(connection.welcome.lab);
      this.lesson = connection.welcome.lesson?.view ?? null;
    }
    this.stops = [
      connection.on('welcome', (welcome) => {
        this.connected = true;
        this.remember(welcome.avatars);
        this.log = [];
        this.history = [];
        if (welcome.lab) this.receive(welcome.lab);
        this.lesson = welcome.lesson?.view ?? null;
      }),
      connection.on('lesson', (message) => (this.lesson = message.view ?? null)),
      connection.on('delta', (delta) => this.remember(delta.enter ?? [])),
      connection.on('lab', (message) => this.receive(message)),
      connection.on('error', (message) => {
        if (LAB_ERRORS.has(message.code)) this.error = message.message;
      }),
      connection.on('state', (state) => (this.connected = state.kind === 'open')),
    ];
    return connection;
  }

  override disconnectedCallback(): void {
    for (const stop of this.stops) stop();
    this.stops = [];
    if (!this.embedded) this.connection?.close();
    this.connection = null;
    this.dropPatient();
    super.disconnectedCallback();
  }

  protected override updated(): void {
    this.placePatient();
  }

  /** In a 3D space, the patient on a bed (world/lab3d.ts) while a scenario is on. */
  private placePatient(): void {
    const scene = this.stage?.mode === '3d' ? this.stage.scene : null;
    if (scene !== this.patientScene) this.dropPatient();
    if (!scene || this.patient || !this.lab) return;
    this.patientScene = scene;
    void import('../../world/lab3d').then(({ LabPatient3d }) => {
      if (!this.isConnected || this.stage?.scene !== scene || this.patient) return;
      const patient = new LabPatient3d();
      patient.group.userData.onSelect = () => this.atBedside('examine');
      this.patient = patient;
      const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      this.detachPatient = scene.attach(patient.group, (now: number) => {
        const look = patientLook(this.lab?.vitals ?? {});
        patient.show(look.skin, look.breathSeconds, now, still, String(this.lab?.vitals?.['consciousness'] ?? 'A'));
      });
    });
  }

  private dropPatient(): void {
    this.detachPatient?.();
    this.detachPatient = null;
    this.patient?.dispose();
    this.patient = null;
    this.patientScene = null;
  }

  private remember(avatars: readonly AvatarState[]): void {
    for (const avatar of avatars) this.names.set(avatar.id, avatar.name);
  }

  private receive(message: LabMessage): void {
    if (this.lab?.run !== message.run) {
      this.log = [];
      this.history = [];
      this.bedside = '';
      this.base = Date.now() / 1000 - message.clock;
    }
    const fresh = message.log ?? [];
    if (fresh.length) {
      this.log = [...this.log, ...fresh];
      const last = fresh.filter((e) => e.kind === 'action' || e.kind === 'event').pop();
      if (last) this.said = this.describe(last);
    }
    const vitals = message.vitals ?? {};
    const lastRow = this.history[this.history.length - 1];
    const due = !lastRow || message.clock - Number(lastRow['time_s']) >= CHART_EVERY_S;
    if (due && Object.keys(vitals).length) {
      this.history = [...this.history.slice(-HISTORY), { ...vitals, time_s: message.clock }];
    }
    if (message.status === 'ended' && this.lab?.status !== 'ended') this.said = t('lab.ended');
    this.lab = message;
  }

  private who(id: string | null | undefined): string {
    if (!id) return '';
    if (id === this.connection?.welcome?.you) return t('lab.you');
    return this.names.get(id) ?? t('lab.someone');
  }

  private describe(entry: LabLogEntry): string {
    const params = paramsText(entry.params);
    return t('lab.logLine', {
      time: clockText(entry.t),
      what: actionLabel(entry.name) + (params ? ` (${params})` : ''),
      who: this.who(entry.by) || t('lab.scenario'),
    });
  }

  /** Examine (logged as the ABCDE assessment while the run goes on) or ask the patient. */
  private atBedside(view: BedsideView): void {
    this.bedside = view;
    if (view === 'examine' && this.lab?.status === 'running') this.connection?.labAct('abcde_assessment', {});
  }

  private intervention(): Intervention | undefined {
    return this.options?.interventions.find((i) => i.name === this.chosen);
  }

  private give(event: Event): void {
    event.preventDefault();
    const chosen = this.intervention();
    if (!chosen || !this.connection) return;
    const params: Record<string, number | string> = {};
    for (const param of chosen.params) {
      const raw = this.values[param.name] ?? (param.default == null ? '' : String(param.default));
      if (raw === '') continue;
      params[param.name] = param.choices.length ? raw : Number(raw);
    }
    this.error = '';
    this.connection.labAct(chosen.name, params);
  }

  private control(event: Event): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const scenario = String(data.get('scenario') ?? '');
    const speed = Number(data.get('speed') ?? 1);
    this.error = '';
    if (scenario.startsWith('draft:')) {
      // An educator's own scenario: sent whole, checked by the server's schema.
      draft(scenario.slice('draft:'.length)).then(
        (found) => this.connection?.lab({ action: 'start', draft: found.scenario, speed }),
        (error: unknown) => (this.error = describeError(error)),
      );
      return;
    }
    this.connection?.lab({ action: 'start', scenario, speed });
  }

  private inject(event: Event): void {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const name = String(data.get('condition') ?? '');
    const severity = Number(data.get('severity') ?? 0);
    this.connection?.lab({ action: 'inject', name, params: { severity } });
  }

  private renderMonitor() {
    const vitals = this.lab?.vitals ?? {};
    const look = patientLook(vitals);
    return html`
      <section class="lab-monitor" aria-labelledby="lab-monitor-heading">
        <h2 id="lab-monitor-heading">${t('lab.monitor')}</h2>
        <p class="lab-patient" style=${`--skin: ${look.skin}; --breath: ${look.breathSeconds}s`}>
          <span class="lab-patient__figure" aria-hidden="true"></span>
          <span>${look.words}</span>
        </p>
        <dl class="lab-monitor__numbers">
          ${MONITOR_SIGNS.map((sign) => {
            const value = vitals[sign.key];
            return html`<div>
              <dt>${seriesOf(sign, [], 0).label}</dt>
              <dd data-vital=${sign.key}>
                ${typeof value === 'number' ? formatValue(sign.code, value, sign.unit) : '–'}
              </dd>
            </div>`;
          })}
          <div>
            <dt>${t('lab.bp')}</dt>
            <dd data-vital="bp">
              ${vitals['systolic_bp'] !== undefined
                ? `${Math.round(Number(vitals['systolic_bp']))}/${Math.round(Number(vitals['diastolic_bp']))}`
                : '–'}
            </dd>
          </div>
          <div>
            <dt>${t('lab.consciousness')}</dt>
            <dd data-vital="consciousness">${vitals['consciousness'] ?? '–'}</dd>
          </div>
          <div>
            <dt>${t('lab.oxygen')}</dt>
            <dd data-vital="on_oxygen">${vitals['on_oxygen'] ? t('lab.yes') : t('lab.no')}</dd>
          </div>
        </dl>
        ${this.lab ? html`<cv-lab-waveforms .vitals=${vitals}></cv-lab-waveforms>` : nothing}
        ${this.history.length > 1
          ? MONITOR_SIGNS.slice(0, 2).map(
              (sign) => html`<h3>${seriesOf(sign, [], 0).label}</h3>
                <cv-vitals-chart
                  short
                  chart-id=${`lab-${sign.key}`}
                  .series=${seriesOf(sign, this.history, this.base)}
                ></cv-vitals-chart>`,
            )
          : nothing}
      </section>
    `;
  }

  private renderPanel() {
    const chosen = this.intervention();
    const running = this.lab?.status === 'running';
    return html`
      <section aria-labelledby="lab-act-heading">
        <h2 id="lab-act-heading">${t('lab.interventions')}</h2>
        <form class="lab-act" @submit=${(e: Event) => this.give(e)}>
          <label for="lab-intervention">${t('lab.intervention')}</label>
          <select
            id="lab-intervention"
            .value=${this.chosen}
            @change=${(e: Event) => {
              this.chosen = (e.target as HTMLSelectElement).value;
              this.values = {};
            }}
          >
            ${(this.options?.interventions ?? []).map(
              (i) => html`<option value=${i.name} ?selected=${i.name === this.chosen}>
                ${actionLabel(i.name)}
              </option>`,
            )}
          </select>
          ${(chosen?.params ?? []).map((param) => {
            const id = `lab-param-${param.name}`;
            const value = this.values[param.name] ?? (param.default == null ? '' : String(param.default));
            const set = (e: Event) =>
              (this.values = { ...this.values, [param.name]: (e.target as HTMLInputElement).value });
            return html`<label for=${id}>${param.name.replace(/_/g, ' ')}</label>
              ${param.choices.length
                ? html`<select id=${id} .value=${value} @change=${set}>
                    ${param.choices.map((c) => html`<option value=${c} ?selected=${c === value}>${c}</option>`)}
                  </select>`
                : html`<input id=${id} type="number" inputmode="decimal" step="any"
                    min=${param.low} max=${param.high} .value=${value} @input=${set} required />`}`;
          })}
          <button type="submit" ?disabled=${!running}>${t('lab.give')}</button>
        </form>
      </section>
    `;
  }

  private renderControls() {
    const lab = this.lab;
    const active = lab && lab.status !== 'ended';
    return html`
      <section aria-labelledby="lab-controls-heading">
        <h2 id="lab-controls-heading">${t('lab.controls')}</h2>
        ${active
          ? html`<div class="lab-controls">
                ${lab.status === 'running'
                  ? html`<button @click=${() => this.connection?.lab({ action: 'pause' })}>${t('lab.pause')}</button>`
                  : html`<button @click=${() => this.connection?.lab({ action: 'resume' })}>${t('lab.resume')}</button>`}
                <button @click=${() => this.connection?.lab({ action: 'stop' })}>${t('lab.stop')}</button>
              </div>
              <form class="lab-act" @submit=${(e: Event) => this.inject(e)}>
                <label for="lab-condition">${t('lab.condition')}</label>
                <select id="lab-condition" name="condition">
                  ${(this.options?.conditions ?? []).map((c) => html`<option value=${c}>${actionLabel(c)}</option>`)}
                </select>
                <label for="lab-severity">${t('lab.severity')}</label>
                <input id="lab-severity" name="severity" type="number" min="0" max="1" step="0.1" value="0.5" />
                <button type="submit">${t('lab.inject')}</button>
              </form>`
          : html`<form class="lab-act" @submit=${(e: Event) => this.control(e)}>
              <label for="lab-scenario">${t('lab.scenarioChoice')}</label>
              <select id="lab-scenario" name="scenario">
                ${(this.options?.scenarios ?? []).map((s) => html`<option value=${s.id}>${s.title}</option>`)}
                ${this.drafts.length
                  ? html`<optgroup label=${t('lab.drafts')}>
                      ${this.drafts.map((d) => html`<option value=${`draft:${d.id}`}>${d.title}</option>`)}
                    </optgroup>`
                  : nothing}
              </select>
              <label for="lab-speed">${t('lab.speed')}</label>
              <input id="lab-speed" name="speed" type="number" min="0.5" max="20" step="0.5" value="1" />
              <button type="submit">${t('lab.start')}</button>
            </form>`}
      </section>
    `;
  }

  /** The group anatomy lesson: the instructor opens, steers and closes it; all see the same. */
  private renderLesson() {
    const lesson = this.lesson;
    const share = (view: LessonView | null) => this.connection?.lab({ action: 'lesson', lesson: view });
    const open = (event: Event) => {
      event.preventDefault();
      const model = String(new FormData(event.target as HTMLFormElement).get('model') ?? 'heart');
      const found = LESSONS.find((l) => l.model === model) ?? LESSONS[0];
      if (found) share({ model: found.model, layers: found.layers.map((l) => l.material), label: '' });
    };
    return html`
      ${this.instructor
        ? html`<form class="lab-act" @submit=${open}>
            <label for="lab-lesson-model">${t('lesson.model')}</label>
            <select id="lab-lesson-model" name="model">
              ${LESSONS.map((l) => html`<option value=${l.model}>${t(l.title)}</option>`)}
            </select>
            <button type="submit">${t('lesson.open')}</button>
            ${lesson ? html`<button type="button" @click=${() => share(null)}>${t('lesson.close')}</button>` : nothing}
          </form>`
        : nothing}
      ${lesson
        ? html`<cv-anatomy-lesson
            .model=${lesson.model}
            .shared=${lesson}
            .leader=${this.instructor}
            @lesson-change=${(e: CustomEvent<LessonState>) => share(e.detail)}
          ></cv-anatomy-lesson>`
        : nothing}
    `;
  }

  override render() {
    const lab = this.lab;
    return html`
      <section class="lab-page" aria-labelledby="lab-heading">
        ${this.embedded
          ? html`<h2 id="lab-heading">${lab ? lab.title : t('lab.title')}</h2>`
          : html`<h1 id="lab-heading">${lab ? lab.title : t('lab.title')}</h1>`}
        <p class="lab-status" data-status=${lab?.status ?? 'idle'}>
          ${!this.connected
            ? t('lab.connecting')
            : lab
              ? t(`lab.status.${lab.status}`, { clock: clockText(lab.clock) })
              : t('lab.waiting')}
        </p>
        <p class="visually-hidden" aria-live="polite">${this.said}</p>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        ${lab?.status === 'ended'
          ? html`<p class="lab-result">
              ${t('lab.result', {
                outcome: t(`lab.outcome.${lab.result?.outcome === 'stabilised' ? 'stabilised' : lab.result?.outcome === 'deteriorated' ? 'deteriorated' : 'unresolved'}`),
                total: Number(lab.result?.score['total'] ?? 0),
              })}
              <a href=${`/training/runs/${lab.run}`}>${t('lab.debrief')}</a>
            </p>`
          : nothing}
        <div class="lab-grid">
          ${this.renderMonitor()} ${renderBedside(this.lab, this.bedside, (v) => this.atBedside(v))}
          ${this.renderPanel()}
          ${this.instructor ? this.renderControls() : nothing}
          <section aria-labelledby="lab-log-heading">
            <h2 id="lab-log-heading">${t('lab.log')}</h2>
            <ol class="lab-log">
              ${this.log
                .filter((e) => e.kind === 'action' || e.kind === 'event' || e.kind === 'state' || e.kind === 'arrest')
                .map((e) => html`<li data-kind=${e.kind}>${this.describe(e)}</li>`)}
            </ol>
          </section>
        </div>
        ${this.renderLesson()}
      </section>
    `;
  }
}

customElements.define('cv-lab-page', LabPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-lab-page': LabPage;
  }
}
