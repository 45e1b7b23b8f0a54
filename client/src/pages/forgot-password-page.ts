import { html, nothing } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { requestPasswordReset } from '../api/auth';
import { looksLikeEmail } from '../components/errors';
import { textField } from '../components/fields';
import { LightElement } from '../components/light-element';
import { FormController } from '../controllers/form';
import { t } from '../i18n';

/** Ask for a password-reset link by e-mail. */
export class ForgotPasswordPage extends LightElement {
  static override properties = {
    sent: { state: true },
  };

  declare sent: boolean;

  private form = new FormController(this, {
    values: { email: '' },
    ids: { email: 'forgot-email' },
    serverFields: { email: 'email' },
    summary: false,
  });

  constructor() {
    super();
    this.sent = false;
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    const email = this.form.values.email.trim();
    const sent = await this.form.submit(event, {
      validate: () => {
        if (!email) return { email: t('validation.emailRequired') };
        if (!looksLikeEmail(email)) return { email: t('validation.emailInvalid') };
        return {};
      },
      send: () => requestPasswordReset(email),
    });
    if (!sent) return;
    this.sent = true;
    // The form is gone: move focus to the confirmation that replaced it.
    await this.focusById('forgot-sent');
  }

  override render() {
    const form = this.form;
    const error = form.feedback.error;
    return html`
      <div class="panel panel--narrow">
        <h1 id="forgot-title">${t('forgot.title')}</h1>
        <div class="notice" role="status" id="forgot-sent" tabindex="-1">${this.sent ? t('forgot.sent') : nothing}</div>
        ${this.sent
          ? nothing
          : html`
              <p class="lead">${t('forgot.intro')}</p>
              <div class="form-error" role="alert" id="forgot-error">${error || nothing}</div>
              <form
                novalidate
                @submit=${this.onSubmit}
                aria-labelledby="forgot-title"
                aria-describedby=${ifDefined(error ? 'forgot-error' : undefined)}
              >
                ${textField({
                  ...form.field('email'),
                  label: t('field.email'),
                  type: 'email',
                  autocomplete: 'username',
                  inputmode: 'email',
                })}
                <button class="button button--primary" type="submit" aria-disabled=${form.submitting ? 'true' : 'false'}>
                  ${form.submitting ? t('form.working') : t('forgot.submit')}
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
