import { html, nothing, type PropertyValues } from 'lit';
import { ApiError } from '../../api/http';
import { patient } from '../../api/patients';
import {
  acknowledgeAlert,
  alerts,
  news2,
  recordObservation,
  resolveAlert,
  setSpo2Scale,
  subscribeAlerts,
  type Alert,
  type Consciousness,
  type News2,
  type Rule,
} from '../../api/monitoring';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import {
  announceAlert,
  announcementFor,
  refocusAfterAction,
  renderAlert,
  renderAlertMessages,
  sortAlerts,
} from './alert-view';
import './devices';
import './monitoring.css';
import { news2Time, renderNews2Risk } from './news2-view';
import '../wellbeing/wellbeing-results';
import '../wellbeing/selfhelp-summary';
import '../../components/smart-launch';
import './rules-editor';
import type { VitalsOverview } from './vitals-overview';
import './vitals-overview';
import { capitalise, parameterName } from './vitals';

const ACVPU: readonly [Consciousness, MessageKey][] = [
  ['A', 'acvpu.A'],
  ['C', 'acvpu.C'],
  ['V', 'acvpu.V'],
  ['P', 'acvpu.P'],
  ['U', 'acvpu.U'],
];

/**
 * The clinician's view of one patient: NEWS2 with each parameter's points, the patient's
 * alerts, vital signs charted, the care-plan rules, NEWS2 settings (SpO2 scale 2) and the
 * clinician-observed inputs (consciousness, supplemental oxygen), and the patient's devices.
 */
export class PatientMonitoring extends LightElement {
  static override properties = {
    patientId: { type: String, attribute: 'patient-id' },
    name: { state: true },
    notFound: { state: true },
    score: { state: true },
    alerts: { state: true },
    rules: { state: true },
    busy: { state: true },
    notice: { state: true },
    error: { state: true },
    scale2: { state: true },
    consciousness: { state: true },
    onOxygen: { state: true },
    politeMessage: { state: true },
    urgentMessage: { state: true },
  };

  declare patientId: string;
  declare name: string;
  declare notFound: boolean;
  declare score: News2 | null;
  declare alerts: Alert[];
  declare rules: Rule[];
  declare busy: string;
  declare notice: string;
  declare error: string;
  declare scale2: boolean;
  declare consciousness: Consciousness;
  declare onOxygen: boolean;
  declare politeMessage: string;
  declare urgentMessage: string;

  private stopStream: (() => void) | null = null;
  private refreshTimer: number | null = null;

  constructor() {
    super();
    this.patientId = '';
    this.name = '';
    this.notFound = false;
    this.score = null;
    this.alerts = [];
    this.rules = [];
    this.busy = '';
    this.notice = '';
    this.error = '';
    this.scale2 = false;
    this.consciousness = 'A';
    this.onOxygen = false;
    this.politeMessage = '';
    this.urgentMessage = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopStream = subscribeAlerts({
      connected: () => void this.loadAlerts(),
      alert: (alert) => this.onAlert(alert),
    });
  }

  override disconnectedCallback(): void {
    this.stopStream?.();
    this.stopStream = null;
    if (this.refreshTimer !== null) window.clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    super.disconnectedCallback();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('patientId') && this.patientId) void this.load();
  }

  private async load(): Promise<void> {
    this.notFound = false;
    this.name = '';
    this.score = null;
    try {
      this.name = (await patient(this.patientId)).name;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        this.notFound = true;
        return;
      }
      this.error = describeError(error);
    }
    await Promise.all([this.loadScore(), this.loadAlerts()]);
  }

  private async loadScore(): Promise<void> {
    try {
      this.score = await news2(this.patientId);
      if (this.score.spo2_scale) this.scale2 = this.score.spo2_scale === 2;
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) this.error = describeError(error);
    }
  }

  private async loadAlerts(): Promise<void> {
    if (!this.patientId) return;
    try {
      const [open, acknowledged] = await Promise.all([alerts('open'), alerts('acknowledged')]);
      this.alerts = [...open, ...acknowledged].filter((a) => a.patient_id === this.patientId);
    } catch {
      // The panel of alerts is also on the monitoring page; the score and charts still work.
    }
  }

  private onAlert(alert: Alert): void {
    if (alert.patient_id !== this.patientId) return;
    const announcement = announcementFor(
      alert,
      this.alerts.some((a) => a.id === alert.id),
    );
    this.alerts = [...this.alerts.filter((a) => a.id !== alert.id), alert];
    void announceAlert(this, announcement);
    // New readings fired it: the score and the charts have moved too.
    if (this.refreshTimer !== null) window.clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => {
      this.refreshTimer = null;
      void this.loadScore();
      void this.querySelector<VitalsOverview>('cv-vitals-overview')?.reload();
    }, 1500);
  }

  private async run(id: string, work: () => Promise<string>): Promise<void> {
    if (this.busy) return;
    this.busy = id;
    this.notice = '';
    this.error = '';
    try {
      this.notice = await work();
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = '';
    }
  }

  private alertAction(action: (id: string) => Promise<Alert>, done: MessageKey) {
    return (alert: Alert) =>
      this.run(alert.id, async () => {
        const updated = await action(alert.id);
        this.alerts = [...this.alerts.filter((a) => a.id !== updated.id), updated];
        this.busy = '';
        await this.updateComplete;
        refocusAfterAction(this, alert.id, '#pv-alerts-title');
        return t(done, { name: alert.patient_name, title: alert.title });
      });
  }

  private saveScale(event: SubmitEvent): void {
    event.preventDefault();
    void this.run('scale', async () => {
      await setSpo2Scale(this.patientId, this.scale2 ? 2 : 1);
      await this.loadScore();
      return t(this.scale2 ? 'news2.scale2On' : 'news2.scale2Off');
    });
  }

  private saveObservation(event: SubmitEvent): void {
    event.preventDefault();
    void this.run('observation', async () => {
      await recordObservation(this.patientId, {
        consciousness: this.consciousness,
        on_oxygen: this.onOxygen,
      });
      await this.loadScore();
      return t('observation.recorded');
    });
  }

  private renderScore() {
    const score = this.score;
    if (!score) return html`<p class="loading" role="status">${t('app.loading')}</p>`;
    const parameters = Object.entries(score.scores ?? {});
    return html`
      ${renderNews2Risk(score)} ${news2Time(score.at)}
      ${
        parameters.length > 0
          ? html`<table class="score-table">
              <caption class="visually-hidden">
                ${t('news2.tableCaption')}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${t('news2.parameter')}</th>
                  <th scope="col">${t('news2.points')}</th>
                </tr>
              </thead>
              <tbody>
                ${parameters.map(
                  ([parameter, points]) =>
                    html`<tr>
                      <th scope="row">${capitalise(parameterName(parameter))}</th>
                      <td>${points}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
          : nothing
      }
    `;
  }

  private renderInputs() {
    return html`
      <form
        class="subform"
        novalidate
        @submit=${this.saveObservation}
        aria-labelledby="observation-title"
      >
        <h3 id="observation-title">${t('observation.title')}</h3>
        <fieldset class="field">
          <legend>${t('observation.consciousness')}</legend>
          ${ACVPU.map(
            ([value, key]) => html`
              <div class="choice">
                <input
                  id="acvpu-${value}"
                  type="radio"
                  name="acvpu"
                  value=${value}
                  .checked=${this.consciousness === value}
                  @change=${() => (this.consciousness = value)}
                />
                <label for="acvpu-${value}">${t(key)}</label>
              </div>
            `,
          )}
        </fieldset>
        <div class="choice">
          <input
            id="on-oxygen"
            type="checkbox"
            .checked=${this.onOxygen}
            @change=${(e: Event) => (this.onOxygen = (e.target as HTMLInputElement).checked)}
          />
          <label for="on-oxygen">${t('observation.onOxygen')}</label>
        </div>
        <div class="actions">
          <button
            class="button button--primary"
            type="submit"
            aria-disabled=${this.busy === 'observation' ? 'true' : 'false'}
          >
            ${this.busy === 'observation' ? t('form.working') : t('observation.record')}
          </button>
        </div>
      </form>
      <form class="subform" novalidate @submit=${this.saveScale} aria-labelledby="scale-title">
        <h3 id="scale-title">${t('news2.settingsTitle')}</h3>
        <div class="choice">
          <input
            id="spo2-scale-2"
            type="checkbox"
            aria-describedby="spo2-scale-2-hint"
            .checked=${this.scale2}
            @change=${(e: Event) => (this.scale2 = (e.target as HTMLInputElement).checked)}
          />
          <label for="spo2-scale-2">${t('news2.scale2')}</label>
          <p class="field-hint" id="spo2-scale-2-hint">${t('news2.scale2Hint')}</p>
        </div>
        <div class="actions">
          <button
            class="button button--secondary"
            type="submit"
            aria-disabled=${this.busy === 'scale' ? 'true' : 'false'}
          >
            ${this.busy === 'scale' ? t('form.working') : t('news2.saveSettings')}
          </button>
        </div>
      </form>
    `;
  }

  override render() {
    const back = html`<p><a href="/monitoring">${t('patientView.back')}</a></p>`;
    if (this.notFound) {
      return html`${back}
        <div class="panel">
          <h1>${t('patientView.notFound')}</h1>
          <p>${t('patientView.notFoundBody')}</p>
        </div>`;
    }
    const open = sortAlerts(this.alerts);
    return html`
      ${back}
      <div class="page-intro">
        <p class="eyebrow">${t('panel.title')}</p>
        <h1>${this.name || t('patientView.loadingName')}</h1>
      </div>
      ${renderAlertMessages(this)}
      <div class="patient-view">
        <section class="panel" aria-labelledby="pv-news2-title">
          <h2 id="pv-news2-title">${t('news2.title')}</h2>
          ${this.renderScore()} ${this.renderInputs()}
        </section>
        <section class="panel" aria-labelledby="pv-alerts-title">
          <h2 id="pv-alerts-title" tabindex="-1">${t('patientView.alerts')}</h2>
          ${
            open.length === 0
              ? html`<p class="empty">${t('patientView.noAlerts')}</p>`
              : html`<ul class="alert-list" role="list">
                  ${open.map((alert) =>
                    renderAlert(alert, {
                      busy: this.busy,
                      acknowledge: this.alertAction(acknowledgeAlert, 'alert.acknowledgedNotice'),
                      resolve: this.alertAction(resolveAlert, 'alert.resolvedNotice'),
                    }),
                  )}
                </ul>`
          }
        </section>
      </div>
      <section class="panel" aria-labelledby="pv-vitals-title">
        <h2 id="pv-vitals-title">${t('patientView.vitals')}</h2>
        <cv-vitals-overview
          patient-id=${this.patientId}
          audience="clinician"
          heading-level="3"
          .rules=${this.rules}
        ></cv-vitals-overview>
      </section>
      <cv-rules-editor
        patient-id=${this.patientId}
        @cv-rules-changed=${(e: CustomEvent<Rule[]>) => (this.rules = e.detail)}
      ></cv-rules-editor>
      <cv-device-list patient-id=${this.patientId} heading-level="2"></cv-device-list>
      <cv-wellbeing-results patient-id=${this.patientId}></cv-wellbeing-results>
      <cv-selfhelp-summary patient-id=${this.patientId}></cv-selfhelp-summary>
      <cv-smart-launch patient-id=${this.patientId}></cv-smart-launch>
    `;
  }
}

customElements.define('cv-patient-monitoring', PatientMonitoring);

declare global {
  interface HTMLElementTagNameMap {
    'cv-patient-monitoring': PatientMonitoring;
  }
}
