import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { confirmTotp, startTotp, type TotpEnrolment } from '../api/auth';
import { ApiError, hasErrorCode } from '../api/http';
import { t } from '../i18n';
import { describeError } from './errors';
import { textField } from './fields';
import { LightElement } from './light-element';

type QrCode = (text: string, label: string) => TemplateResult;

/** The event fired (bubbling) once two-step sign-in is on for the account. */
export const TOTP_ENABLED = 'totp-enabled';

const CODE_ID = 'totp-code';

/** A one-time code as typed, without the spaces some apps show in the middle of it. */
export function cleanOtp(value: string): string {
  return value.replace(/\s+/g, '');
}

/** The message for a one-time code that cannot be right, or '' when it looks like one. */
export function otpFormatError(code: string): string {
  if (!code) return t('validation.otpRequired');
  if (!/^\d{6}$/.test(code)) return t('validation.otpFormat');
  return '';
}

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
    code: { state: true },
    codeError: { state: true },
    formError: { state: true },
    busy: { state: true },
  };

  declare autoStart: boolean;
  declare enrolment: TotpEnrolment | null;
  declare code: string;
  declare codeError: string;
  declare formError: string;
  declare busy: boolean;

  /** The QR encoder, loaded on first use: most visits never need it. */
  private qrCode: QrCode | null = null;

  constructor() {
    super();
    this.autoStart = false;
    this.enrolment = null;
    this.code = '';
    this.codeError = '';
    this.formError = '';
    this.busy = false;
  }

  override firstUpdated(): void {
    if (this.autoStart) void this.start(false);
  }

  private async showFormError(message: string): Promise<void> {
    // Cleared first so that the same message, repeated, is announced again.
    this.formError = '';
    await this.updateComplete;
    this.formError = message;
  }

  private async start(moveFocus = true): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.formError = '';
    try {
      const [enrolment, qr] = await Promise.all([startTotp(), import('./qr-code')]);
      this.qrCode = qr.qrCode;
      this.enrolment = enrolment;
      this.code = '';
      this.codeError = '';
      if (moveFocus) await this.focusById('totp-steps-title');
    } catch (error) {
      if (hasErrorCode(error, 'mfa_already_enabled')) {
        this.done();
        return;
      }
      await this.showFormError(describeError(error));
    } finally {
      this.busy = false;
    }
  }

  private cancel(): void {
    this.enrolment = null;
    this.code = '';
    this.codeError = '';
    this.formError = '';
    void this.focusById('totp-start');
  }

  private done(): void {
    this.enrolment = null;
    this.dispatchEvent(new CustomEvent(TOTP_ENABLED, { bubbles: true }));
  }

  private async onConfirm(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    this.formError = '';
    const code = cleanOtp(this.code);
    this.codeError = otpFormatError(code);
    if (this.codeError) {
      await this.focusById(CODE_ID);
      return;
    }
    this.busy = true;
    try {
      await confirmTotp(code);
      this.done();
    } catch (error) {
      await this.confirmFailed(error);
    } finally {
      this.busy = false;
    }
  }

  private async confirmFailed(error: unknown): Promise<void> {
    if (hasErrorCode(error, 'mfa_invalid')) {
      this.codeError = t('error.mfaSetupInvalid');
      this.code = '';
      await this.focusById(CODE_ID);
      return;
    }
    if (error instanceof ApiError && error.fieldErrors.code) {
      this.codeError = error.fieldErrors.code;
      await this.focusById(CODE_ID);
      return;
    }
    if (hasErrorCode(error, 'mfa_already_enabled')) {
      this.done();
      return;
    }
    await this.showFormError(describeError(error));
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
                id: CODE_ID,
                label: t('mfa.codeLabel'),
                hint: t('mfa.codeHint'),
                value: this.code,
                error: this.codeError || undefined,
                autocomplete: 'one-time-code',
                inputmode: 'numeric',
                maxlength: 7,
                onInput: (value) => (this.code = value),
              })}
              <div class="actions">
                <button class="button button--primary" type="submit" aria-disabled=${this.busy ? 'true' : 'false'}>
                  ${this.busy ? t('form.working') : t('mfa.confirm')}
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
    return html`
      <div class="form-error" role="alert" id="totp-error">${this.formError || nothing}</div>
      ${enrolment
        ? this.renderSteps(enrolment)
        : this.autoStart && !this.formError
          ? html`<p class="loading" role="status">${t('app.loading')}</p>`
          : html`
              <button
                id="totp-start"
                class="button button--primary"
                type="button"
                aria-disabled=${this.busy ? 'true' : 'false'}
                aria-describedby=${ifDefined(this.formError ? 'totp-error' : undefined)}
                @click=${() => this.start()}
              >
                ${this.busy ? t('form.working') : t('mfa.start')}
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
