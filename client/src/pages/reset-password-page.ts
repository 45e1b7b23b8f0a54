import { html, nothing } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { confirmPasswordReset } from '../api/auth';
import { forgetSession, hasErrorCode } from '../api/http';
import { MIN_PASSWORD_LENGTH, textField } from '../components/fields';
import { LightElement } from '../components/light-element';
import { FormController, type FieldErrorsOf } from '../controllers/form';
import { t } from '../i18n';
import { navigate } from '../router';
import { getAccount, setAccount, setNotice } from '../session';

const VALUES = { next: '', confirm: '' };

/**
 * Take the reset token out of the address: it comes in the fragment (`#token=cvp_…`), which
 * browsers never send to servers, and leaves the address bar and history once read so that it
 * is not bookmarked, shared or left behind on a shared computer.
 */
function takeTokenFromAddress(): string {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  if (location.hash) history.replaceState(history.state, '', location.pathname + location.search);
  return token.trim();
}

/** Choose a new password with a single-use link from an e-mail or an administrator. */
export class ResetPasswordPage extends LightElement {
  static override properties = {
    linkInvalid: { state: true },
  };

  declare linkInvalid: boolean;

  /** Held in memory only. */
  private token = '';

  private form = new FormController(this, {
    values: VALUES,
    ids: { next: 'reset-password', confirm: 'reset-confirm' },
    serverFields: { new_password: 'next' },
  });

  constructor() {
    super();
    this.linkInvalid = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.token ||= takeTokenFromAddress();
    // A link pasted into this same tab changes only the fragment: no new page load.
    window.addEventListener('hashchange', this.onHashChange);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('hashchange', this.onHashChange);
    super.disconnectedCallback();
  }

  private onHashChange = (): void => {
    const token = takeTokenFromAddress();
    if (!token) return;
    this.token = token;
    this.linkInvalid = false;
    this.form.feedback.clear();
    this.form.errors = {};
    this.requestUpdate();
  };

  private validate(): FieldErrorsOf<typeof VALUES> {
    const { next, confirm } = this.form.values;
    const errors: FieldErrorsOf<typeof VALUES> = {};
    if (!next) errors.next = t('validation.newPasswordRequired');
    else if ([...next].length < MIN_PASSWORD_LENGTH) {
      errors.next = t('validation.passwordTooShort', { count: MIN_PASSWORD_LENGTH });
    }
    if (!confirm) errors.confirm = t('validation.confirmPasswordRequired');
    else if (next && confirm !== next) errors.confirm = t('validation.passwordsDiffer');
    return errors;
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    const done = await this.form.submit(event, {
      validate: () => this.validate(),
      send: () => confirmPasswordReset(this.token, this.form.values.next),
      failed: (error) => this.linkFailed(error),
    });
    if (!done) return;
    // The server has ended every session of the account, this browser's included.
    if (getAccount()) {
      forgetSession();
      setAccount(null);
    }
    setNotice(t('reset.doneNotice'));
    navigate('/signin', { replace: true });
  }

  /** A used or expired link: say so and offer a new one. */
  private async linkFailed(error: unknown): Promise<boolean> {
    if (!hasErrorCode(error, 'invalid_reset_token')) return false;
    this.linkInvalid = true;
    this.form.reset();
    this.form.errors = {};
    await this.form.feedback.failWith(t('error.resetLinkInvalid'));
    await this.focusById('reset-new-link');
    return true;
  }

  private renderForm() {
    const form = this.form;
    return html`
      <form
        novalidate
        @submit=${this.onSubmit}
        aria-labelledby="reset-title"
        aria-describedby=${ifDefined(form.feedback.error ? 'reset-error' : undefined)}
      >
        ${textField({
          ...form.field('next'),
          label: t('field.newPassword'),
          type: 'password',
          hint: t('field.passwordNewHint'),
          autocomplete: 'new-password',
        })}
        ${textField({
          ...form.field('confirm'),
          label: t('field.confirmPassword'),
          type: 'password',
          autocomplete: 'new-password',
        })}
        <button class="button button--primary" type="submit" aria-disabled=${form.submitting ? 'true' : 'false'}>
          ${form.submitting ? t('form.working') : t('reset.submit')}
        </button>
      </form>
    `;
  }

  override render() {
    const usable = this.token && !this.linkInvalid;
    return html`
      <div class="panel panel--narrow">
        <h1 id="reset-title">${t('reset.title')}</h1>
        <div class="form-error" role="alert" id="reset-error">${this.form.feedback.error || nothing}</div>
        ${usable
          ? html`<p class="lead">${t('reset.intro')}</p>
              ${this.renderForm()}`
          : html`
              ${this.token ? nothing : html`<p class="lead">${t('reset.missingToken')}</p>`}
              <p>
                <a class="button button--primary" id="reset-new-link" href="/forgot-password">
                  ${t('reset.requestNew')}
                </a>
              </p>
            `}
        <p class="alternate"><a href="/signin">${t('forgot.backToSignIn')}</a></p>
      </div>
    `;
  }
}

customElements.define('cv-reset-password', ResetPasswordPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-reset-password': ResetPasswordPage;
  }
}
