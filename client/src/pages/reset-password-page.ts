import { html, nothing } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { confirmPasswordReset } from '../api/auth';
import { ApiError, forgetSession, hasErrorCode } from '../api/http';
import { describeError, placeFieldErrors } from '../components/errors';
import { MIN_PASSWORD_LENGTH, textField } from '../components/fields';
import { LightElement } from '../components/light-element';
import { t } from '../i18n';
import { navigate } from '../router';
import { getAccount, setAccount, setNotice } from '../session';

type Field = 'next' | 'confirm';
type Errors = Partial<Record<Field, string>>;

const FIELDS: readonly Field[] = ['next', 'confirm'];
const FIELD_IDS: Record<Field, string> = { next: 'reset-password', confirm: 'reset-confirm' };
const SERVER_FIELDS: Record<string, Field> = { new_password: 'next' };

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
    next: { state: true },
    confirm: { state: true },
    errors: { state: true },
    formError: { state: true },
    linkInvalid: { state: true },
    busy: { state: true },
  };

  declare next: string;
  declare confirm: string;
  declare errors: Errors;
  declare formError: string;
  declare linkInvalid: boolean;
  declare busy: boolean;

  /** Held in memory only. */
  private token = '';

  constructor() {
    super();
    this.next = '';
    this.confirm = '';
    this.errors = {};
    this.formError = '';
    this.linkInvalid = false;
    this.busy = false;
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
    this.formError = '';
    this.errors = {};
    this.requestUpdate();
  };

  private validate(): Errors {
    const errors: Errors = {};
    if (!this.next) errors.next = t('validation.newPasswordRequired');
    else if ([...this.next].length < MIN_PASSWORD_LENGTH) {
      errors.next = t('validation.passwordTooShort', { count: MIN_PASSWORD_LENGTH });
    }
    if (!this.confirm) errors.confirm = t('validation.confirmPasswordRequired');
    else if (this.next && this.confirm !== this.next) errors.confirm = t('validation.passwordsDiffer');
    return errors;
  }

  private async showErrors(errors: Errors, formError: string): Promise<void> {
    this.errors = errors;
    this.formError = '';
    await this.updateComplete;
    this.formError = formError;
    const first = FIELDS.find((field) => errors[field]);
    if (first) await this.focusById(FIELD_IDS[first]);
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const errors = this.validate();
    if (Object.keys(errors).length > 0) {
      await this.showErrors(errors, t('form.errorSummary'));
      return;
    }
    this.errors = {};
    this.formError = '';
    this.busy = true;
    try {
      await confirmPasswordReset(this.token, this.next);
    } catch (error) {
      this.busy = false;
      await this.failed(error);
      return;
    }
    this.busy = false;
    // The server has ended every session of the account, this browser's included.
    if (getAccount()) {
      forgetSession();
      setAccount(null);
    }
    setNotice(t('reset.doneNotice'));
    navigate('/signin', { replace: true });
  }

  private async failed(error: unknown): Promise<void> {
    if (hasErrorCode(error, 'invalid_reset_token')) {
      this.linkInvalid = true;
      this.next = '';
      this.confirm = '';
      await this.showErrors({}, t('error.resetLinkInvalid'));
      await this.focusById('reset-new-link');
      return;
    }
    if (error instanceof ApiError) {
      const { errors, unplaced } = placeFieldErrors(error, SERVER_FIELDS);
      if (Object.keys(errors).length > 0) {
        await this.showErrors(errors, [t('form.errorSummary'), ...unplaced].join(' '));
        return;
      }
    }
    await this.showErrors({}, describeError(error));
  }

  private renderForm() {
    return html`
      <form
        novalidate
        @submit=${this.onSubmit}
        aria-labelledby="reset-title"
        aria-describedby=${ifDefined(this.formError ? 'reset-error' : undefined)}
      >
        ${textField({
          id: FIELD_IDS.next,
          label: t('field.newPassword'),
          type: 'password',
          hint: t('field.passwordNewHint'),
          value: this.next,
          error: this.errors.next,
          autocomplete: 'new-password',
          onInput: (value) => (this.next = value),
        })}
        ${textField({
          id: FIELD_IDS.confirm,
          label: t('field.confirmPassword'),
          type: 'password',
          value: this.confirm,
          error: this.errors.confirm,
          autocomplete: 'new-password',
          onInput: (value) => (this.confirm = value),
        })}
        <button class="button button--primary" type="submit" aria-disabled=${this.busy ? 'true' : 'false'}>
          ${this.busy ? t('form.working') : t('reset.submit')}
        </button>
      </form>
    `;
  }

  override render() {
    const usable = this.token && !this.linkInvalid;
    return html`
      <div class="panel panel--narrow">
        <h1 id="reset-title">${t('reset.title')}</h1>
        <div class="form-error" role="alert" id="reset-error">${this.formError || nothing}</div>
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
