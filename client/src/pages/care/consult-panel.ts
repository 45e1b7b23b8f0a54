import { html, nothing } from 'lit';
import {
  appointment,
  chat,
  room,
  say,
  type Appointment,
  type ChatMessage,
  type Room,
} from '../../api/care';
import { ApiError } from '../../api/http';
import { latestReadings, vitals, type LatestValue, type VitalsSeries } from '../../api/monitoring';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import '../../components/translated-text';
import { getAccount } from '../../session';
import { t, type MessageKey } from '../../i18n';
import { formatTime } from '../../i18n/format';
import '../monitoring/vitals-chart';
import { HEART_RATE, formatValue, vitalName } from '../monitoring/vitals';
import './care.css';
import './decision-panel';
import './invite-panel';

/** What placing a shared model needs from the world connection (`obj_add`). */
interface ObjectSender {
  addObject(object: {
    kind: 'model';
    p: [number, number, number];
    model: string;
    title?: string;
    shared?: boolean;
  }): boolean;
}

const MODELS = ['heart', 'spine', 'knee'] as const;
const CHAT_POLL_MS = 4000;

/**
 * The consultation beside the consult room's world view: which visit this is (the patient's
 * preferred language for the clinician and an interpreter), the encounter's chat (kept
 * encrypted with the encounter), shared decision-making, inviting a guest, the patient's recent
 * vitals when monitoring is in use, and placing a shared anatomical model both people can turn.
 * It asks `GET /api/care/rooms/{space}`; for any other space it renders nothing.
 */
export class ConsultPanel extends LightElement {
  static override properties = {
    spaceId: { type: String, attribute: 'space-id' },
    connection: { attribute: false },
    info: { state: true },
    visit: { state: true },
    messages: { state: true },
    latest: { state: true },
    heartRate: { state: true },
    notice: { state: true },
    error: { state: true },
  };

  declare spaceId: string;
  /** The world connection (`obj_add`); else `window.careverseWorld.connection`. */
  declare connection: ObjectSender | null;
  declare info: Room | null;
  declare visit: Appointment | null;
  declare messages: ChatMessage[];
  declare latest: Record<string, LatestValue> | null;
  declare heartRate: VitalsSeries | null;
  declare notice: string;
  declare error: string;

  private poll: number | null = null;
  private span: [number, number] = [0, 0];

  constructor() {
    super();
    this.spaceId = '';
    this.connection = null;
    this.info = null;
    this.visit = null;
    this.messages = [];
    this.latest = null;
    this.heartRate = null;
    this.notice = '';
    this.error = '';
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('spaceId') && this.spaceId) void this.load();
  }

  override disconnectedCallback(): void {
    if (this.poll !== null) window.clearTimeout(this.poll);
    this.poll = null;
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    try {
      this.info = await room(this.spaceId);
    } catch (error) {
      this.info = null; // not a consult room, or not ours: nothing to show
      if (!(error instanceof ApiError && error.status === 404)) this.error = describeError(error);
      return;
    }
    this.dispatchEvent(new CustomEvent('consult-ready', { bubbles: true, composed: true }));
    void this.loadVisit();
    void this.loadVitals();
    const tick = async () => {
      await this.loadChat();
      if (this.isConnected) this.poll = window.setTimeout(tick, CHAT_POLL_MS);
    };
    void tick();
  }

  private async loadVisit(): Promise<void> {
    if (!this.info) return;
    try {
      this.visit = await appointment(this.info.appointment_id);
    } catch {
      this.visit = null;
    }
  }

  private async loadChat(): Promise<void> {
    if (!this.info?.encounter_id) return;
    try {
      const next = await chat(this.info.encounter_id);
      if (next.length !== this.messages.length) this.messages = next;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** The patient's latest vitals and a day of heart rate, if monitoring has anything. */
  private async loadVitals(): Promise<void> {
    const info = this.info;
    if (!info || !['clinician', 'patient'].includes(info.role_in_room)) return;
    try {
      this.latest = await latestReadings(info.patient_id);
    } catch {
      this.latest = null; // no monitoring, or not allowed: the section stays hidden
      return;
    }
    if (!this.latest[HEART_RATE]) return;
    const end = new Date();
    const start = new Date(end.getTime() - 24 * 3600 * 1000);
    this.span = [start.getTime() / 1000, end.getTime() / 1000];
    try {
      this.heartRate = await vitals(info.patient_id, HEART_RATE, start, end, 96);
    } catch {
      this.heartRate = null;
    }
  }

  private async send(event: Event): Promise<void> {
    event.preventDefault();
    const input = this.querySelector('#consult-chat-input') as HTMLTextAreaElement | null;
    const body = input?.value.trim() ?? '';
    if (!body || !this.info?.encounter_id) return;
    try {
      await say(this.info.encounter_id, body);
      if (input) input.value = '';
      await this.loadChat();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private sender(): ObjectSender | null {
    const world = (window as { careverseWorld?: { connection?: unknown } }).careverseWorld;
    return this.connection ?? ((world?.connection as ObjectSender | undefined) ?? null);
  }

  private place(key: (typeof MODELS)[number]): void {
    const name = t(`care.consult.model.${key}` as MessageKey);
    const sent = this.sender()?.addObject({
      kind: 'model',
      model: key,
      p: [0, 0, -1.2],
      shared: true,
    });
    this.error = sent ? '' : t('care.consult.notConnected');
    this.notice = sent ? t('care.consult.placed', { name }) : '';
  }

  override render() {
    const info = this.info;
    if (!info) return this.error ? html`<p class="form-error" role="alert">${this.error}</p>` : nothing;
    const role = info.role_in_room;
    const audience = role === 'clinician' ? 'clinician' : role === 'patient' ? 'patient' : 'viewer';
    const canInvite = role === 'clinician' || role === 'patient';
    return html`
      <section class="consult-panel" aria-labelledby="consult-title">
        <h2 id="consult-title">${t('care.consult.title', { name: info.patient_name })}</h2>
        ${info.preferred_language && role !== 'patient'
          ? html`<p class="care-language">${t('care.language', { language: info.preferred_language })}</p>`
          : nothing}
        <p class="notice" role="status">${this.notice}</p>
        <p class="form-error" role="alert">${this.error}</p>
        ${this.renderChat()}
        ${role === 'clinician' ? this.renderModels() : nothing}
        ${this.renderVitals()}
        ${info.encounter_id && role !== 'interpreter' && role !== 'guest-clinician'
          ? html`<cv-decision-panel encounter-id=${info.encounter_id} audience=${audience} heading-level="3"></cv-decision-panel>`
          : nothing}
        ${canInvite
          ? html`<cv-invite-panel
              appointment-id=${info.appointment_id}
              .invitees=${this.visit?.invitees ?? []}
              @invited=${() => void this.loadVisit()}
              @uninvited=${() => void this.loadVisit()}
            ></cv-invite-panel>`
          : nothing}
      </section>
    `;
  }

  private renderChat() {
    return html`
      <section class="consult-chat" aria-labelledby="consult-chat-title">
        <h3 id="consult-chat-title">${t('care.consult.chat')}</h3>
        <p class="field-hint">${t('care.consult.chatHint')}</p>
        <div class="consult-chat__log" role="log" aria-live="polite" tabindex="0" aria-labelledby="consult-chat-title">
          <ol>
            ${this.messages.map(
              (m) => html`<li><strong>${m.author_name || t('care.consult.someone')}</strong>
                <span class="consult-chat__time">${formatTime(new Date(m.at))}</span>:
                <cv-translated-text .text=${m.body} ?mine=${m.author_id === getAccount()?.id}></cv-translated-text></li>`,
            )}
          </ol>
        </div>
        <form @submit=${(e: Event) => this.send(e)}>
          <div class="field">
            <label for="consult-chat-input">${t('care.consult.message')}</label>
            <textarea id="consult-chat-input" rows="2" maxlength="2000"></textarea>
          </div>
          <button class="button button--secondary" type="submit" id="consult-chat-send">${t('care.consult.send')}</button>
        </form>
      </section>
    `;
  }

  private renderModels() {
    return html`
      <section aria-labelledby="consult-models-title">
        <h3 id="consult-models-title">${t('care.consult.models')}</h3>
        <p>${t('care.consult.modelsHint')}</p>
        <div class="care-actions">
          ${MODELS.map(
            (key) => html`<button class="button button--secondary" data-model=${key} @click=${() => this.place(key)}>
              ${t('care.consult.place', { name: t(`care.consult.model.${key}` as MessageKey) })}
            </button>`,
          )}
        </div>
      </section>
    `;
  }

  private renderVitals() {
    const latest = this.latest;
    if (!latest || Object.keys(latest).length === 0) return nothing;
    // The visit's clinician reads the latest values in the side panel beside the call
    // (consult-layout.ts, visit-facts.ts): here only the heart-rate trend, not the table again.
    const inSide = this.info?.role_in_room === 'clinician' && Boolean(this.info.encounter_id);
    if (inSide && !this.heartRate) return nothing;
    return html`
      <section class="consult-vitals" aria-labelledby="consult-vitals-title">
        <h3 id="consult-vitals-title">${t('care.consult.vitals')}</h3>
        ${this.heartRate
          ? html`<cv-vitals-chart .series=${this.heartRate} .span=${this.span} chart-id="consult-heart-rate" short></cv-vitals-chart>`
          : nothing}
        ${inSide ? nothing : this.renderVitalsTable(latest)}
      </section>
    `;
  }

  private renderVitalsTable(latest: Record<string, LatestValue>) {
    return html`
        <table class="consult-vitals__table">
          <caption>${t('care.consult.latest')}</caption>
          <thead>
            <tr>
              <th scope="col">${t('care.consult.sign')}</th>
              <th scope="col">${t('care.consult.value')}</th>
              <th scope="col">${t('care.consult.when')}</th>
            </tr>
          </thead>
          <tbody>
            ${Object.entries(latest).map(
              ([code, v]) => html`<tr data-code=${code}>
                <th scope="row">${vitalName(code, v.label)}</th>
                <td>${formatValue(code, v.value, v.unit)}</td>
                <td>${formatTime(new Date(v.at))}</td>
              </tr>`,
            )}
          </tbody>
        </table>
    `;
  }
}

customElements.define('cv-consult-panel', ConsultPanel);

declare global {
  interface HTMLElementTagNameMap {
    'cv-consult-panel': ConsultPanel;
  }
}
