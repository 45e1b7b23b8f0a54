import { html, nothing } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { signIn } from '../api/auth';
import { ApiError } from '../api/http';
import { describeError, looksLikeEmail } from '../components/errors';
import { textField } from '../components/fields';
import { LightElement } from '../components/light-element';
import { t } from '../i18n';
import { navigate, safeNextPath } from '../router';
import { setAccount, takeNotice } from '../session';

type Field = 'email' | 'password' | 'otp';
type Errors = Partial<Record<Field, string>>;

const FIELD_IDS: Record<Field, string> = {
  email: 'signin-email',
  password: 'signin-password',
  otp: 'signin-otp',
};

/** Sign in with email and password, and a one-time code when the account uses MFA. */
export class SignInPage extends LightElement {
  static override properties = {
    email: { state: true },
    password: { state: true },
    otp: { state: true },
    mfaRequired: { state: true },
    errors: { state: true },
    formError: { state: true },
    notice: { state: true },
    busy: { state: true },
  };

  declare email: string;
  declare password: string;
  declare otp: string;
  declare mfaRequired: boolean;
  declare errors: Errors;
  declare formError: string;
  declare notice: string;
  declare busy: boolean;

  constructor() {
    super();
    this.email = '';
    this.password = '';
    this.otp = '';
    this.mfaRequired = false;
    this.errors = {};
    this.formError = '';
    this.notice = '';
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.notice = takeNotice() ?? '';
  }

  private validate(): Errors {
    const errors: Errors = {};
    if (!this.email.trim()) errors.email = t('validation.emailRequired');
    else if (!looksLikeEmail(this.email)) errors.email = t('validation.emailInvalid');
    if (!this.password) errors.password = t('validation.passwordRequired');
    if (this.mfaRequired) {
      const code = this.otpCode();
      if (!code) errors.otp = t('validation.otpRequired');
      else if (!/^\d{6}$/.test(code)) errors.otp = t('validation.otpFormat');
    }
    return errors;
  }

  /** The code as typed, without the spaces some apps show in the middle of it. */
  private otpCode(): string {
    return this.otp.replace(/\s+/g, '');
  }

  private async showFormError(message: string): Promise<void> {
    // Clear first so that the same message, repeated, is announced again.
    this.formError = '';
    await this.updateComplete;
    this.formError = message;
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    this.notice = '';
    this.formError = '';
    this.errors = this.validate();
    const firstInvalid = (['email', 'password', 'otp'] as const).find((f) => this.errors[f]);
    if (firstInvalid) {
      await this.focusById(FIELD_IDS[firstInvalid]);
      return;
    }
    this.busy = true;
    try {
      const account = await signIn({
        email: this.email.trim(),
        password: this.password,
        ...(this.mfaRequired ? { otp: this.otpCode() } : {}),
      });
      setAccount(account);
      const next = safeNextPath(new URLSearchParams(location.search).get('next'));
      navigate(next ?? '/home', { replace: true });
    } catch (error) {
      await this.handleError(error);
    } finally {
      this.busy = false;
    }
  }

  private async handleError(error: unknown): Promise<void> {
    if (error instanceof ApiError && error.code === 'mfa_required') {
      this.mfaRequired = true;
      this.notice = t('signIn.mfaPrompt');
      await this.focusById(FIELD_IDS.otp);
      return;
    }
    if (error instanceof ApiError && error.code === 'mfa_invalid') {
      this.mfaRequired = true;
      this.errors = { otp: t('error.mfaInvalid') };
      this.otp = '';
      await this.focusById(FIELD_IDS.otp);
      return;
    }
    await this.showFormError(describeError(error));
  }

  override render() {
    return html`
      <div class="panel panel--narrow">
        <h1 id="signin-title">${t('signIn.title')}</h1>
        <p class="lead">${t('signIn.intro')}</p>
        <div class="notice" role="status">${this.notice || nothing}</div>
        <div class="form-error" role="alert" id="signin-error">${this.formError || nothing}</div>
        <form
          novalidate
          @submit=${this.onSubmit}
          aria-labelledby="signin-title"
          aria-describedby=${ifDefined(this.formError ? 'signin-error' : undefined)}
        >
          ${textField({
            id: FIELD_IDS.email,
            label: t('field.email'),
            type: 'email',
            value: this.email,
            error: this.errors.email,
            autocomplete: 'username',
            inputmode: 'email',
            onInput: (value) => (this.email = value),
          })}
          ${textField({
            id: FIELD_IDS.password,
            label: t('field.password'),
            type: 'password',
            value: this.password,
            error: this.errors.password,
            autocomplete: 'current-password',
            onInput: (value) => (this.password = value),
          })}
          ${this.mfaRequired
            ? textField({
                id: FIELD_IDS.otp,
                label: t('field.otp'),
                hint: t('field.otpHint'),
                value: this.otp,
                error: this.errors.otp,
                autocomplete: 'one-time-code',
                inputmode: 'numeric',
                maxlength: 7,
                onInput: (value) => (this.otp = value),
              })
            : nothing}
          <button class="button button--primary" type="submit" aria-disabled=${this.busy ? 'true' : 'false'}>
            ${this.busy ? t('form.working') : this.mfaRequired ? t('signIn.verify') : t('signIn.submit')}
          </button>
        </form>
        <p class="alternate"><a href="/forgot-password">${t('signIn.forgotPassword')}</a></p>
        <p class="alternate">
          ${t('signIn.noAccount')} <a href="/signup">${t('signIn.createAccount')}</a>
        </p>
      </div>
    `;
  }
}

customElements.define('cv-sign-in', SignInPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-sign-in': SignInPage;
  }
}
