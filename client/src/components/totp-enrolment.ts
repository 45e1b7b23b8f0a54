import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { confirmTotp, startTotp, type TotpEnrolment } from '../api/auth';
import { hasErrorCode } from '../api/http';
import { FormController } from '../controllers/form';
import { t } from '../i18n';
import { cleanOtp, otpFormatError, textField } from './fields';
import { LightElement } from './light-element';

type QrCode = (text: string, label: string) => TemplateResult;

/** The event fired (bubbling) once two-step sign-in is on for the account. */
export const TOTP_ENABLED = 'totp-enabled';

/** A base32 secret in groups of four, easier to copy by hand. */
function groupSecret(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(' ') ?? secret;
}

/**
 * Setting up an authenticator app: ask the server for a secret, show it as a QR code and as
 * text, then confirm with a first code. Fires `totp-enabled` when two-step sign-in is on.
 * With `autoStart`, the secret is asked for at once (the mandatory set-up screen).
 */
export class TotpEnrolmentPanel extends LightElement {
  static override properties = {
    autoStart: { type: Boolean, attribute: 'auto-start' },
    enrolment: { state: true },
  };

  declare autoStart: boolean;
  declare enrolment: TotpEnrolment | null;

  /** The first code; its alert region also tells why the set-up could not start. */
  private form = new FormController(this, {
    values: { code: '' },
    ids: { code: 'totp-code' },
    serverFields: { code: 'code' },
    summary: false,
  });

  /** The QR encoder, loaded on first use: most visits never need it. */
  private qrCode: QrCode | null = null;

  constructor() {
    super();
    this.autoStart = false;
    this.enrolment = null;
  }

  override firstUpdated(): void {
    if (this.autoStart) void this.start(false);
  }

  private async start(moveFocus = true): Promise<void> {
    const form = this.form;
    await form.feedback.run(
      'start',
      async () => {
        const [enrolment, qr] = await Promise.all([startTotp(), import('./qr-code')]);
        this.qrCode = qr.qrCode;
        this.enrolment = enrolment;
        form.reset();
        form.errors = {};
        if (moveFocus) await this.focusById('totp-steps-title');
      },
      (error) => this.alreadyOn(error),
    );
  }

  private cancel(): void {
    this.enrolment = null;
    this.form.reset();
    this.form.errors = {};
    this.form.feedback.clear();
    void this.focusById('totp-start');
  }

  private done(): void {
    this.enrolment = null;
    this.dispatchEvent(new CustomEvent(TOTP_ENABLED, { bubbles: true }));
  }

  /** Two-step sign-in is on already (in another tab, say): nothing left to set up. */
  private alreadyOn(error: unknown): boolean {
    if (!hasErrorCode(error, 'mfa_already_enabled')) return false;
    this.done();
    return true;
  }

  private async onConfirm(event: SubmitEvent): Promise<void> {
    const form = this.form;
    const code = cleanOtp(form.values.code);
    const confirmed = await form.submit(event, {
      validate: () => {
        const error = otpFormatError(code);
        return error ? { code: error } : {};
      },
      send: () => confirmTotp(code),
      failed: async (error) => {
        if (hasErrorCode(error, 'mfa_invalid')) {
          form.reset();
          await form.showErrors({ code: t('error.mfaSetupInvalid') });
          return true;
        }
        return this.alreadyOn(error);
      },
    });
    if (confirmed) this.done();
  }

  private renderSteps(enrolment: TotpEnrolment) {
    return html`
      <section class="totp-steps" aria-labelledby="totp-steps-title">
        <h3 id="totp-steps-title" tabindex="-1">${t('mfa.stepsTitle')}</h3>
        <ol class="steps">
          <li>
            <p>${t('mfa.stepScan')}</p>
            <div class="qr-frame">${this.qrCode?.(enrolment.otpauth_uri, t('mfa.qrLabel'))}</div>
            <p>${t('mfa.manualIntro')}</p>
            <p class="secret">
              <span class="secret__label" id="totp-secret-label">${t('mfa.secretLabel')}</span>
              <code id="totp-secret" aria-labelledby="totp-secret-label">${groupSecret(enrolment.secret)}</code>
            </p>
            ${enrolment.otpauth_uri.startsWith('otpauth://')
              ? html`<p><a href=${enrolment.otpauth_uri}>${t('mfa.openApp')}</a></p>`
              : nothing}
          </li>
          <li>
            <form novalidate @submit=${this.onConfirm} aria-labelledby="totp-steps-title">
              ${textField({
                ...this.form.field('code'),
                label: t('mfa.codeLabel'),
                hint: t('mfa.codeHint'),
                autocomplete: 'one-time-code',
                inputmode: 'numeric',
                maxlength: 7,
              })}
              <div class="actions">
                <button class="button button--primary" type="submit" aria-disabled=${this.form.submitting ? 'true' : 'false'}>
                  ${this.form.submitting ? t('form.working') : t('mfa.confirm')}
                </button>
                ${this.autoStart
                  ? nothing
                  : html`<button class="button button--secondary" type="button" @click=${this.cancel}>
                      ${t('mfa.cancel')}
                    </button>`}
              </div>
            </form>
          </li>
        </ol>
      </section>
    `;
  }

  override render() {
    const enrolment = this.enrolment;
    const { busy, error } = this.form.feedback;
    return html`
      <div class="form-error" role="alert" id="totp-error">${error || nothing}</div>
      ${enrolment
        ? this.renderSteps(enrolment)
        : this.autoStart && !error
          ? html`<p class="loading" role="status">${t('app.loading')}</p>`
          : html`
              <button
                id="totp-start"
                class="button button--primary"
                type="button"
                aria-disabled=${busy ? 'true' : 'false'}
                aria-describedby=${ifDefined(error ? 'totp-error' : undefined)}
                @click=${() => this.start()}
              >
                ${busy ? t('form.working') : t('mfa.start')}
              </button>
            `}
    `;
  }
}

customElements.define('cv-totp-enrolment', TotpEnrolmentPanel);

declare global {
  interface HTMLElementTagNameMap {
    'cv-totp-enrolment': TotpEnrolmentPanel;
  }
}
