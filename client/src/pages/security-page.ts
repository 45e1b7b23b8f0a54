import { html, nothing } from 'lit';
import { changePassword, currentAccount, disableTotp, type Account } from '../api/auth';
import { hasErrorCode } from '../api/http';
import { cleanOtp, MIN_PASSWORD_LENGTH, otpFormatError, textField } from '../components/fields';
import { LightElement } from '../components/light-element';
import '../components/totp-enrolment';
import { FormController, type FieldErrorsOf } from '../controllers/form';
import { t } from '../i18n';
import { getAccount, setAccount } from '../session';

const PASSWORD_VALUES = { current: '', next: '', confirm: '' };

/** Two-step sign-in and the password of the signed-in account. */
export class SecurityPage extends LightElement {
  static override properties = {
    account: { attribute: false },
  };

  declare account: Account | null;

  /** Turning two-step sign-in off; its messages are the whole section's. */
  private disableForm = new FormController(this, {
    values: { code: '' },
    ids: { code: 'totp-disable-code' },
    serverFields: { code: 'code' },
    summary: false,
  });

  private passwordForm = new FormController(this, {
    values: PASSWORD_VALUES,
    ids: { current: 'password-current', next: 'password-new', confirm: 'password-confirm' },
    serverFields: { current_password: 'current', new_password: 'next' },
  });

  constructor() {
    super();
    this.account = null;
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

  // ---- two-step sign-in ----------------------------------------------------------------

  private async onTotpEnabled(): Promise<void> {
    this.disableForm.feedback.error = '';
    await this.reloadAccount({ mfa_enabled: true, mfa_enrolment_required: false });
    await this.disableForm.feedback.say(t('mfa.enabledNotice'));
    await this.focusById('mfa-title');
  }

  private async onDisable(event: SubmitEvent): Promise<void> {
    const form = this.disableForm;
    const code = cleanOtp(form.values.code);
    const done = await form.submit(event, {
      validate: () => {
        const error = otpFormatError(code);
        return error ? { code: error } : {};
      },
      send: async () => {
        await disableTotp(code);
        form.reset();
        await this.reloadAccount({ mfa_enabled: false });
      },
      failed: (error) => this.disableFailed(error),
    });
    if (!done) return;
    await form.feedback.say(t('mfa.disabledNotice'));
    await this.focusById('mfa-title');
  }

  private async disableFailed(error: unknown): Promise<boolean> {
    if (hasErrorCode(error, 'mfa_invalid')) {
      this.disableForm.reset();
      await this.disableForm.showErrors({ code: t('error.mfaInvalid') });
      return true;
    }
    if (hasErrorCode(error, 'mfa_not_enabled')) {
      await this.reloadAccount({ mfa_enabled: false });
      return true;
    }
    return false;
  }

  // ---- password ------------------------------------------------------------------------

  private validatePassword(): FieldErrorsOf<typeof PASSWORD_VALUES> {
    const { current, next, confirm } = this.passwordForm.values;
    const errors: FieldErrorsOf<typeof PASSWORD_VALUES> = {};
    if (!current) errors.current = t('validation.currentPasswordRequired');
    if (!next) errors.next = t('validation.newPasswordRequired');
    else if ([...next].length < MIN_PASSWORD_LENGTH) {
      errors.next = t('validation.passwordTooShort', { count: MIN_PASSWORD_LENGTH });
    }
    if (!confirm) errors.confirm = t('validation.confirmPasswordRequired');
    else if (next && confirm !== next) errors.confirm = t('validation.passwordsDiffer');
    return errors;
  }

  private async onChangePassword(event: SubmitEvent): Promise<void> {
    const form = this.passwordForm;
    const { current, next } = form.values;
    const done = await form.submit(event, {
      validate: () => this.validatePassword(),
      send: () => changePassword(current, next),
      refine: (errors, error) => {
        if (errors.current && error.code === 'invalid_credentials') {
          errors.current = t('validation.currentPasswordWrong');
        }
      },
    });
    if (!done) return;
    form.reset();
    await form.feedback.say(t('password.changedNotice'));
  }

  // ---- rendering -----------------------------------------------------------------------

  private renderMfa(account: Account) {
    return html`
      <section class="panel" aria-labelledby="mfa-title">
        <h2 id="mfa-title" tabindex="-1">${t('mfa.title')}</h2>
        ${this.disableForm.feedback.render()}
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
                  ...this.disableForm.field('code'),
                  label: t('mfa.codeLabel'),
                  hint: t('mfa.disableHint'),
                  autocomplete: 'one-time-code',
                  inputmode: 'numeric',
                  maxlength: 7,
                })}
                <div class="actions">
                  <button
                    class="button button--secondary"
                    type="submit"
                    aria-disabled=${this.disableForm.submitting ? 'true' : 'false'}
                  >
                    ${this.disableForm.submitting ? t('form.working') : t('mfa.disable')}
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
    const form = this.passwordForm;
    return html`
      <section class="panel" aria-labelledby="password-title">
        <h2 id="password-title">${t('password.title')}</h2>
        <p>${t('password.intro')}</p>
        ${form.feedback.render('password-error')}
        <form novalidate @submit=${this.onChangePassword} aria-labelledby="password-title">
          <input type="email" name="username" autocomplete="username" .value=${account.email} readonly hidden />
          ${textField({
            ...form.field('current'),
            label: t('field.currentPassword'),
            type: 'password',
            autocomplete: 'current-password',
          })}
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
          <div class="actions">
            <button class="button button--primary" type="submit" aria-disabled=${form.submitting ? 'true' : 'false'}>
              ${form.submitting ? t('form.working') : t('password.submit')}
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
