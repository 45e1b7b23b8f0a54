import { html, nothing } from 'lit';
import type { Account } from '../../api/auth';
import { ApiError } from '../../api/http';
import { news2, rules, type News2, type Rule } from '../../api/monitoring';
import { delegations, type Delegation } from '../../api/privacy';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { firstName } from '../../components/people-i-support';
import { t } from '../../i18n';
import { onRouteChange } from '../../router';
import './devices';
import './monitoring.css';
import './vitals-overview';
import { news2Time } from './news2-view';
import { explainNews2, riskText } from './vitals';

/** A person whose vitals this page can show: oneself, or someone a caregiver supports. */
interface Subject {
  patientId: string;
  /** Null for oneself. */
  name: string | null;
  /** May add and remove devices. */
  canManageDevices: boolean;
}

function hasScope(delegation: Delegation, scope: string): boolean {
  return delegation.scopes.includes(scope);
}

/**
 * "Vitals": a patient's own readings in plain language — the overall early warning score
 * explained, each vital sign with its targets and a chart over 24 hours to a year, and the
 * devices that send them. A caregiver sees the same for a person who shared their vitals
 * (`/vitals?patient=<id>` when they support several).
 */
export class VitalsPage extends LightElement {
  static override properties = {
    account: { attribute: false },
    supported: { state: true },
    score: { state: true },
    rules: { state: true },
    error: { state: true },
  };

  declare account: Account | null;
  /** For a caregiver: delegations that include seeing vitals. */
  declare supported: Delegation[] | null;
  declare score: News2 | null;
  declare rules: Rule[];
  declare error: string;

  private stopRoute: (() => void) | null = null;
  private loadedFor = '';

  constructor() {
    super();
    this.account = null;
    this.supported = null;
    this.score = null;
    this.rules = [];
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopRoute = onRouteChange(() => this.requestUpdate());
    if (this.account?.role === 'caregiver') void this.loadSupported();
  }

  override disconnectedCallback(): void {
    this.stopRoute?.();
    this.stopRoute = null;
    super.disconnectedCallback();
  }

  private async loadSupported(): Promise<void> {
    try {
      const all = await delegations();
      this.supported = all.filter((d) => d.active && hasScope(d, 'vitals:read'));
    } catch (error) {
      this.error = describeError(error);
      this.supported = [];
    }
  }

  private subject(): Subject | null {
    const account = this.account;
    if (!account) return null;
    if (account.role !== 'caregiver') {
      return account.patient_id
        ? { patientId: account.patient_id, name: null, canManageDevices: true }
        : null;
    }
    const wanted = new URLSearchParams(location.search).get('patient');
    const supported = this.supported ?? [];
    const chosen = wanted
      ? supported.find((d) => d.patient_id === wanted)
      : supported.length === 1
        ? supported[0]
        : undefined;
    return chosen
      ? {
          patientId: chosen.patient_id,
          name: firstName(chosen.patient_name),
          canManageDevices: hasScope(chosen, 'vitals:write'),
        }
      : null;
  }

  protected override willUpdate(): void {
    const subject = this.subject();
    if (subject && subject.patientId !== this.loadedFor) {
      this.loadedFor = subject.patientId;
      void this.loadSummary(subject.patientId);
    }
  }

  private async loadSummary(patientId: string): Promise<void> {
    this.score = null;
    this.rules = [];
    this.error = '';
    const [score, targets] = await Promise.allSettled([news2(patientId), rules(patientId)]);
    if (patientId !== this.loadedFor) return;
    if (score.status === 'fulfilled') this.score = score.value;
    else if (!(score.reason instanceof ApiError && score.reason.status === 404)) {
      this.error = describeError(score.reason);
    }
    if (targets.status === 'fulfilled') this.rules = targets.value;
  }

  private renderScore(subject: Subject) {
    const score = this.score;
    if (!score || score.total === null) return nothing;
    return html`
      <section class="panel news2-summary" aria-labelledby="news2-title">
        <h2 id="news2-title">
          ${subject.name ? t('vitals.scoreTitleOther', { person: subject.name }) : t('vitals.scoreTitle')}
        </h2>
        <p class="news2-summary__value">
          <span class="risk risk--${score.risk ?? 'unknown'}">
            <span class="risk__total">${score.total}</span>
            <span class="risk__text">${riskText(score.risk)}</span>
          </span>
        </p>
        ${news2Time(score.at)}
        ${explainNews2(score, subject.name).map((sentence) => html`<p>${sentence}</p>`)}
      </section>
    `;
  }

  private renderChooser() {
    const supported = this.supported;
    if (supported === null) return html`<p class="loading" role="status">${t('app.loading')}</p>`;
    if (supported.length === 0) return html`<p class="empty">${t('vitals.nobodyShared')}</p>`;
    return html`
      <nav aria-labelledby="vitals-people-title">
        <h2 id="vitals-people-title">${t('vitals.choosePerson')}</h2>
        <ul class="item-list" role="list">
          ${supported.map(
            (d) =>
              html`<li class="item">
                <a href="/vitals?patient=${encodeURIComponent(d.patient_id)}"
                  >${t('vitals.personLink', { person: firstName(d.patient_name) })}</a
                >
              </li>`,
          )}
        </ul>
      </nav>
    `;
  }

  override render() {
    const account = this.account;
    if (!account) return nothing;
    const subject = this.subject();
    const title = subject?.name
      ? t('vitals.titleOther', { person: subject.name })
      : t('vitals.title');
    return html`
      <div class="page-intro">
        <h1>${title}</h1>
        <p class="lead">
          ${subject?.name ? t('vitals.introOther', { person: subject.name }) : t('vitals.intro')}
        </p>
        <div class="form-error" role="alert">${this.error || nothing}</div>
      </div>
      ${
        subject
          ? html`
              ${this.renderScore(subject)}
              <section class="panel" aria-labelledby="readings-title">
                <h2 id="readings-title">${t('vitals.readingsTitle')}</h2>
                <cv-vitals-overview
                  patient-id=${subject.patientId}
                  audience=${subject.name ? 'other' : 'self'}
                  person-name=${subject.name ?? ''}
                  heading-level="3"
                  .rules=${this.rules}
                ></cv-vitals-overview>
              </section>
              ${
                subject.canManageDevices
                  ? html`<cv-device-list
                      patient-id=${subject.patientId}
                      heading-level="2"
                    ></cv-device-list>`
                  : nothing
              }
            `
          : account.role === 'caregiver'
            ? this.renderChooser()
            : html`<p class="empty">${t('vitals.noRecord')}</p>`
      }
    `;
  }
}

customElements.define('cv-vitals-page', VitalsPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-vitals-page': VitalsPage;
  }
}
