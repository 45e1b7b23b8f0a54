import { html, nothing } from 'lit';
import {
  authorizeParams,
  consentPreview,
  decideConsent,
  type AuthorizeParams,
  type ConsentPreview,
} from '../../api/smart';
import { LightElement } from '../../components/light-element';
import { Feedback } from '../../controllers/feedback';
import { LoadingController } from '../../controllers/loading';
import { t } from '../../i18n';

/**
 * The SMART consent screen (`/oauth/consent`, reached from `/oauth/authorize`): names the app,
 * lists in plain words what it asks for (each can be unticked), lets a clinician or caregiver
 * choose the patient it is for, and sends the browser back to the app with the answer.
 */
export class ConsentPage extends LightElement {
  static override properties = {
    declined: { state: true },
    patientId: { state: true },
  };

  /** The scopes the person unticked. */
  declare declined: ReadonlySet<string>;
  declare patientId: string;

  private readonly params: AuthorizeParams = authorizeParams(location.search);
  private readonly feedback = new Feedback(this);
  /** Opened without an app's request (typed, bookmarked): nothing to ask the server about. */
  private readonly incomplete = !this.params.client_id || !this.params.redirect_uri;
  private preview = new LoadingController(this, () => consentPreview(this.params), {
    auto: !this.incomplete,
  });

  constructor() {
    super();
    this.declined = new Set();
    this.patientId = '';
  }

  private toggle(scope: string, checked: boolean): void {
    const next = new Set(this.declined);
    if (checked) next.delete(scope);
    else next.add(scope);
    this.declined = next;
  }

  private async answer(preview: ConsentPreview, approve: boolean): Promise<void> {
    if (approve && preview.needs_patient && !preview.patient_is_self && !this.patientId) {
      await this.feedback.failWith(t('smart.consent.choosePatient'));
      return;
    }
    const scopes = preview.scopes.map((s) => s.scope).filter((s) => !this.declined.has(s));
    await this.feedback.run(approve ? 'allow' : 'deny', async () => {
      const { redirect_to } = await decideConsent(this.params, approve, scopes, this.patientId || null);
      location.assign(redirect_to);
    });
  }

  private renderPatients(preview: ConsentPreview) {
    if (preview.launch_patient && !preview.patient_is_self) {
      return html`<p>${t('smart.consent.launchedFor', { name: preview.launch_patient.name })}</p>`;
    }
    if (!preview.needs_patient || preview.patient_is_self) return nothing;
    if (preview.patients.length === 0) return html`<p class="empty">${t('smart.consent.noPatients')}</p>`;
    return html`
      <div class="field">
        <label for="consent-patient">${t('smart.consent.patient')}</label>
        <select id="consent-patient" @change=${(e: Event) => (this.patientId = (e.target as HTMLSelectElement).value)}>
          <option value="">${t('smart.consent.pickOne')}</option>
          ${preview.patients.map((p) => html`<option value=${p.id} ?selected=${this.patientId === p.id}>${p.name}</option>`)}
        </select>
      </div>
    `;
  }

  private renderPreview(preview: ConsentPreview) {
    const busy = this.feedback.busy !== '';
    return html`
      <h1>${t('smart.consent.title', { app: preview.app_name })}</h1>
      <p class="lead">${t('smart.consent.intro', { app: preview.app_name })}</p>
      <fieldset class="field">
        <legend>${t('smart.consent.asks')}</legend>
        ${preview.scopes.map((s, index) => {
          const id = `consent-scope-${index}`;
          return html`
            <div class="choice">
              <input
                id=${id}
                type="checkbox"
                .checked=${!this.declined.has(s.scope)}
                @change=${(e: Event) => this.toggle(s.scope, (e.target as HTMLInputElement).checked)}
              />
              <label for=${id}>${s.text} <code>${s.scope}</code></label>
            </div>
          `;
        })}
      </fieldset>
      ${this.renderPatients(preview)}
      <p>${t('smart.consent.revokeLater')}</p>
      ${this.feedback.render()}
      <div class="actions">
        <button class="button button--primary" type="button" aria-disabled=${busy ? 'true' : 'false'}
          @click=${() => this.answer(preview, true)}>${t('smart.consent.allow')}</button>
        <button class="button button--secondary" type="button" aria-disabled=${busy ? 'true' : 'false'}
          @click=${() => this.answer(preview, false)}>${t('smart.consent.deny')}</button>
      </div>
    `;
  }

  override render() {
    if (this.incomplete) {
      return html`<div class="panel">
        <h1>${t('smart.consent.pageTitle')}</h1>
        <p>${t('smart.consent.incomplete')}</p>
      </div>`;
    }
    return html`<div class="panel">${this.preview.render((preview) => this.renderPreview(preview))}</div>`;
  }
}

customElements.define('cv-smart-consent', ConsentPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-smart-consent': ConsentPage;
  }
}
