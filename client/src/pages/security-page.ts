import { html, nothing } from 'lit';
import { changePassword, currentAccount, disableTotp, type Account } from '../api/auth';
import { ApiError, hasErrorCode } from '../api/http';
import { describeError, placeFieldErrors } from '../components/errors';
import { MIN_PASSWORD_LENGTH, textField } from '../components/fields';
import { LightElement } from '../components/light-element';
import { cleanOtp, otpFormatError } from '../components/totp-enrolment';
import { t } from '../i18n';
import { getAccount, setAccount } from '../session';

type PasswordField = 'current' | 'next' | 'confirm';
type PasswordErrors = Partial<Record<PasswordField, string>>;

const PASSWORD_FIELDS: readonly PasswordField[] = ['current', 'next', 'confirm'];

const PASSWORD_IDS: Record<PasswordField, string> = {
  current: 'password-current',
  next: 'password-new',
  confirm: 'password-confirm',
};

/** Request body names (as the server reports them in 422 answers) to form fields. */
const SERVER_PASSWORD_FIELDS: Record<string, PasswordField> = {
  current_password: 'current',
  new_password: 'next',
};

const DISABLE_CODE_ID = 'totp-disable-code';

/** Two-step sign-in and the password of the signed-in account. */
export class SecurityPage extends LightElement {
  static override properties = {
    account: { attribute: false },
    mfaNotice: { state: true },
    mfaError: { state: true },
    disableCode: { state: true },
    disableCodeError: { state: true },
    disabling: { state: true },
    current: { state: true },
    next: { state: true },
    confirm: { state: true },
    passwordErrors: { state: true },
    passwordNotice: { state: true },
    passwordError: { state: true },
    changing: { state: true },
  };

  declare account: Account | null;
  declare mfaNotice: string;
  declare mfaError: string;
  declare disableCode: string;
  declare disableCodeError: string;
  declare disabling: boolean;
  declare current: string;
  declare next: string;
  declare confirm: string;
  declare passwordErrors: PasswordErrors;
  declare passwordNotice: string;
  declare passwordError: string;
  declare changing: boolean;

  constructor() {
    super();
    this.account = null;
    this.mfaNotice = '';
    this.mfaError = '';
    this.disableCode = '';
    this.disableCodeError = '';
    this.disabling = false;
    this.current = '';
    this.next = '';
    this.confirm = '';
    this.passwordErrors = {};
    this.passwordNotice = '';
    this.passwordError = '';
    this.changing = false;
  }

  /** Reload the account so that the page and the header show the new state. */
  private async reloadAccount(change: Partial<Account>): Promise<void> {
    try {
      const fresh = await currentAccount();
      if (fresh) {
        setAccount(fresh);
        return;
      }
    } catch {
      // The change itself succeeded; fall through to what we know it did.
    }
    const known = getAccount();
    if (known) setAccount({ ...known, ...change });
  }

  /** Announce `message` in a live region, cleared first so that a repeat is announced. */
  private async announce(
    key: 'mfaNotice' | 'mfaError' | 'passwordNotice' | 'passwordError',
    message: string,
  ): Promise<void> {
    this[key] = '';
    await this.updateComplete;
    this[key] = message;
  }

  // ---- two-step sign-in ----------------------------------------------------------------

  private async onTotpEnabled(): Promise<void> {
    this.mfaError = '';
    await this.reloadAccount({ mfa_enabled: true, mfa_enrolment_required: false });
    await this.announce('mfaNotice', t('mfa.enabledNotice'));
    await this.focusById('mfa-title');
  }

  private async onDisable(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.disabling) return;
    this.mfaNotice = '';
    this.mfaError = '';
    const code = cleanOtp(this.disableCode);
    this.disableCodeError = otpFormatError(code);
    if (this.disableCodeError) {
      await this.focusById(DISABLE_CODE_ID);
      return;
    }
    this.disabling = true;
    try {
      await disableTotp(code);
      this.disableCode = '';
      await this.reloadAccount({ mfa_enabled: false });
      await this.announce('mfaNotice', t('mfa.disabledNotice'));
      await this.focusById('mfa-title');
    } catch (error) {
      await this.disableFailed(error);
    } finally {
      this.disabling = false;
    }
  }

  private async disableFailed(error: unknown): Promise<void> {
    if (hasErrorCode(error, 'mfa_invalid')) {
      this.disableCodeError = t('error.mfaInvalid');
      this.disableCode = '';
      await this.focusById(DISABLE_CODE_ID);
      return;
    }
    if (error instanceof ApiError && error.fieldErrors.code) {
      this.disableCodeError = error.fieldErrors.code;
      await this.focusById(DISABLE_CODE_ID);
      return;
    }
    if (hasErrorCode(error, 'mfa_not_enabled')) {
      await this.reloadAccount({ mfa_enabled: false });
      return;
    }
    await this.announce('mfaError', describeError(error));
  }

  // ---- password ------------------------------------------------------------------------

  private validatePassword(): PasswordErrors {
    const errors: PasswordErrors = {};
    if (!this.current) errors.current = t('validation.currentPasswordRequired');
    if (!this.next) errors.next = t('validation.newPasswordRequired');
    else if ([...this.next].length < MIN_PASSWORD_LENGTH) {
      errors.next = t('validation.passwordTooShort', { count: MIN_PASSWORD_LENGTH });
    }
    if (!this.confirm) errors.confirm = t('validation.confirmPasswordRequired');
    else if (this.next && this.confirm !== this.next) errors.confirm = t('validation.passwordsDiffer');
    return errors;
  }

  private async showPasswordErrors(errors: PasswordErrors, summary: string): Promise<void> {
    this.passwordErrors = errors;
    await this.announce('passwordError', summary);
    const first = PASSWORD_FIELDS.find((field) => errors[field]);
    if (first) await this.focusById(PASSWORD_IDS[first]);
  }

  private async onChangePassword(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.changing) return;
    this.passwordNotice = '';
    const errors = this.validatePassword();
    if (Object.keys(errors).length > 0) {
      await this.showPasswordErrors(errors, t('form.errorSummary'));
      return;
    }
    this.passwordErrors = {};
    this.passwordError = '';
    this.changing = true;
    try {
      await changePassword(this.current, this.next);
      this.current = '';
      this.next = '';
      this.confirm = '';
      await this.announce('passwordNotice', t('password.changedNotice'));
    } catch (error) {
      await this.changeFailed(error);
    } finally {
      this.changing = false;
    }
  }

  private async changeFailed(error: unknown): Promise<void> {
    if (error instanceof ApiError) {
      const { errors, unplaced } = placeFieldErrors(error, SERVER_PASSWORD_FIELDS);
      if (errors.current && error.code === 'invalid_credentials') {
        errors.current = t('validation.currentPasswordWrong');
      }
      if (Object.keys(errors).length > 0) {
        await this.showPasswordErrors(errors, [t('form.errorSummary'), ...unplaced].join(' '));
        return;
      }
    }
    await this.showPasswordErrors({}, describeError(error));
  }

  // ---- rendering -----------------------------------------------------------------------

  private renderMfa(account: Account) {
    return html`
      <section class="panel" aria-labelledby="mfa-title">
        <h2 id="mfa-title" tabindex="-1">${t('mfa.title')}</h2>
        <div class="notice" role="status">${this.mfaNotice || nothing}</div>
        <div class="form-error" role="alert">${this.mfaError || nothing}</div>
        <p>
          <span class="badge ${account.mfa_enabled ? 'badge--on' : 'badge--off'}">
            ${account.mfa_enabled ? t('mfa.badgeOn') : t('mfa.badgeOff')}
          </span>
          ${account.mfa_enabled ? t('mfa.statusOn') : t('mfa.statusOff')}
        </p>
        ${account.mfa_enabled
          ? html`
              <form novalidate @submit=${this.onDisable} aria-labelledby="mfa-disable-title">
                <h3 id="mfa-disable-title">${t('mfa.disableTitle')}</h3>
                ${textField({
                  id: DISABLE_CODE_ID,
                  label: t('mfa.codeLabel'),
                  hint: t('mfa.disableHint'),
                  value: this.disableCode,
                  error: this.disableCodeError || undefined,
                  autocomplete: 'one-time-code',
                  inputmode: 'numeric',
                  maxlength: 7,
                  onInput: (value) => (this.disableCode = value),
                })}
                <div class="actions">
                  <button
                    class="button button--secondary"
                    type="submit"
                    aria-disabled=${this.disabling ? 'true' : 'false'}
                  >
                    ${this.disabling ? t('form.working') : t('mfa.disable')}
                  </button>
                </div>
              </form>
            `
          : html`<cv-totp-enrolment @totp-enabled=${this.onTotpEnabled}></cv-totp-enrolment>`}
      </section>
    `;
  }

  /** The hidden username field lets password managers tie the new password to the account. */
  private renderPassword(account: Account) {
    const errors = this.passwordErrors;
    return html`
      <section class="panel" aria-labelledby="password-title">
        <h2 id="password-title">${t('password.title')}</h2>
        <p>${t('password.intro')}</p>
        <div class="notice" role="status">${this.passwordNotice || nothing}</div>
        <div class="form-error" role="alert" id="password-error">${this.passwordError || nothing}</div>
        <form novalidate @submit=${this.onChangePassword} aria-labelledby="password-title">
          <input type="email" name="username" autocomplete="username" .value=${account.email} readonly hidden />
          ${textField({
            id: PASSWORD_IDS.current,
            label: t('field.currentPassword'),
            type: 'password',
            value: this.current,
            error: errors.current,
            autocomplete: 'current-password',
            onInput: (value) => (this.current = value),
          })}
          ${textField({
            id: PASSWORD_IDS.next,
            label: t('field.newPassword'),
            type: 'password',
            hint: t('field.passwordNewHint'),
            value: this.next,
            error: errors.next,
            autocomplete: 'new-password',
            onInput: (value) => (this.next = value),
          })}
          ${textField({
            id: PASSWORD_IDS.confirm,
            label: t('field.confirmPassword'),
            type: 'password',
            value: this.confirm,
            error: errors.confirm,
            autocomplete: 'new-password',
            onInput: (value) => (this.confirm = value),
          })}
          <div class="actions">
            <button class="button button--primary" type="submit" aria-disabled=${this.changing ? 'true' : 'false'}>
              ${this.changing ? t('form.working') : t('password.submit')}
            </button>
          </div>
        </form>
      </section>
    `;
  }

  override render() {
    const account = this.account;
    if (!account) return nothing;
    return html`
      <div class="page-intro">
        <h1>${t('security.title')}</h1>
        <p class="lead">${t('security.intro')}</p>
      </div>
      ${this.renderMfa(account)} ${this.renderPassword(account)}
    `;
  }
}

customElements.define('cv-security', SecurityPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-security': SecurityPage;
  }
}
