import { html, nothing } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { requestPasswordReset } from '../api/auth';
import { ApiError } from '../api/http';
import { describeError, looksLikeEmail } from '../components/errors';
import { textField } from '../components/fields';
import { LightElement } from '../components/light-element';
import { t } from '../i18n';

const EMAIL_ID = 'forgot-email';

/** Ask for a password-reset link by e-mail. */
export class ForgotPasswordPage extends LightElement {
  static override properties = {
    email: { state: true },
    emailError: { state: true },
    formError: { state: true },
    sent: { state: true },
    busy: { state: true },
  };

  declare email: string;
  declare emailError: string;
  declare formError: string;
  declare sent: boolean;
  declare busy: boolean;

  constructor() {
    super();
    this.email = '';
    this.emailError = '';
    this.formError = '';
    this.sent = false;
    this.busy = false;
  }

  private async showFormError(message: string): Promise<void> {
    this.formError = '';
    await this.updateComplete;
    this.formError = message;
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    this.formError = '';
    const email = this.email.trim();
    if (!email) this.emailError = t('validation.emailRequired');
    else if (!looksLikeEmail(email)) this.emailError = t('validation.emailInvalid');
    else this.emailError = '';
    if (this.emailError) {
      await this.focusById(EMAIL_ID);
      return;
    }
    this.busy = true;
    try {
      await requestPasswordReset(email);
      this.sent = true;
      // The form is gone: move focus to the confirmation that replaced it.
      await this.focusById('forgot-sent');
    } catch (error) {
      if (error instanceof ApiError && error.fieldErrors.email) {
        this.emailError = error.fieldErrors.email;
        await this.focusById(EMAIL_ID);
      } else {
        await this.showFormError(describeError(error));
      }
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return html`
      <div class="panel panel--narrow">
        <h1 id="forgot-title">${t('forgot.title')}</h1>
        <div class="notice" role="status" id="forgot-sent" tabindex="-1">${this.sent ? t('forgot.sent') : nothing}</div>
        ${this.sent
          ? nothing
          : html`
              <p class="lead">${t('forgot.intro')}</p>
              <div class="form-error" role="alert" id="forgot-error">${this.formError || nothing}</div>
              <form
                novalidate
                @submit=${this.onSubmit}
                aria-labelledby="forgot-title"
                aria-describedby=${ifDefined(this.formError ? 'forgot-error' : undefined)}
              >
                ${textField({
                  id: EMAIL_ID,
                  label: t('field.email'),
                  type: 'email',
                  value: this.email,
                  error: this.emailError || undefined,
                  autocomplete: 'username',
                  inputmode: 'email',
                  onInput: (value) => (this.email = value),
                })}
                <button class="button button--primary" type="submit" aria-disabled=${this.busy ? 'true' : 'false'}>
                  ${this.busy ? t('form.working') : t('forgot.submit')}
                </button>
              </form>
            `}
        <p class="alternate"><a href="/signin">${t('forgot.backToSignIn')}</a></p>
      </div>
    `;
  }
}

customElements.define('cv-forgot-password', ForgotPasswordPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-forgot-password': ForgotPasswordPage;
  }
}
