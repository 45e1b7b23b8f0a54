import { html, nothing } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { signIn } from '../api/auth';
import { ApiError } from '../api/http';
import { looksLikeEmail } from '../components/errors';
import { cleanOtp, otpFormatError, textField } from '../components/fields';
import { LightElement } from '../components/light-element';
import { FormController, type FieldErrorsOf } from '../controllers/form';
import { t } from '../i18n';
import { navigate, safeNextPath } from '../router';
import { setAccount, takeNotice } from '../session';

const VALUES = { email: '', password: '', otp: '' };

/** Sign in with email and password, and a one-time code when the account uses MFA. */
export class SignInPage extends LightElement {
  static override properties = {
    mfaRequired: { state: true },
  };

  declare mfaRequired: boolean;

  private form = new FormController(this, {
    values: VALUES,
    ids: { email: 'signin-email', password: 'signin-password', otp: 'signin-otp' },
    // A wrong password and a missing code are told in words; no summary above the fields.
    summary: false,
  });

  constructor() {
    super();
    this.mfaRequired = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.form.feedback.notice = takeNotice() ?? '';
  }

  private validate(): FieldErrorsOf<typeof VALUES> {
    const { email, password } = this.form.values;
    const errors: FieldErrorsOf<typeof VALUES> = {};
    if (!email.trim()) errors.email = t('validation.emailRequired');
    else if (!looksLikeEmail(email)) errors.email = t('validation.emailInvalid');
    if (!password) errors.password = t('validation.passwordRequired');
    const otp = this.mfaRequired ? otpFormatError(cleanOtp(this.form.values.otp)) : '';
    if (otp) errors.otp = otp;
    return errors;
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    const { email, password, otp } = this.form.values;
    await this.form.submit(event, {
      validate: () => this.validate(),
      send: async () => {
        const account = await signIn({
          email: email.trim(),
          password,
          ...(this.mfaRequired ? { otp: cleanOtp(otp) } : {}),
        });
        setAccount(account);
        const next = safeNextPath(new URLSearchParams(location.search).get('next'));
        navigate(next ?? '/home', { replace: true });
      },
      failed: (error) => this.askForCode(error),
    });
  }

  /** The account uses two-step sign-in: ask for the code (again, if it was wrong). */
  private async askForCode(error: unknown): Promise<boolean> {
    if (!(error instanceof ApiError)) return false;
    if (error.code === 'mfa_required') {
      this.mfaRequired = true;
      this.form.feedback.notice = t('signIn.mfaPrompt');
      await this.form.focus('otp');
      return true;
    }
    if (error.code === 'mfa_invalid') {
      this.mfaRequired = true;
      this.form.errors = { otp: t('error.mfaInvalid') };
      this.form.reset('otp');
      await this.form.focus('otp');
      return true;
    }
    return false;
  }

  override render() {
    const form = this.form;
    const { notice, error } = form.feedback;
    return html`
      <div class="panel panel--narrow">
        <h1 id="signin-title">${t('signIn.title')}</h1>
        <p class="lead">${t('signIn.intro')}</p>
        <div class="notice" role="status">${notice || nothing}</div>
        <div class="form-error" role="alert" id="signin-error">${error || nothing}</div>
        <form
          novalidate
          @submit=${this.onSubmit}
          aria-labelledby="signin-title"
          aria-describedby=${ifDefined(error ? 'signin-error' : undefined)}
        >
          ${textField({
            ...form.field('email'),
            label: t('field.email'),
            type: 'email',
            autocomplete: 'username',
            inputmode: 'email',
          })}
          ${textField({
            ...form.field('password'),
            label: t('field.password'),
            type: 'password',
            autocomplete: 'current-password',
          })}
          ${this.mfaRequired
            ? textField({
                ...form.field('otp'),
                label: t('field.otp'),
                hint: t('field.otpHint'),
                autocomplete: 'one-time-code',
                inputmode: 'numeric',
                maxlength: 7,
              })
            : nothing}
          <button class="button button--primary" type="submit" aria-disabled=${form.submitting ? 'true' : 'false'}>
            ${form.submitting ? t('form.working') : this.mfaRequired ? t('signIn.verify') : t('signIn.submit')}
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
