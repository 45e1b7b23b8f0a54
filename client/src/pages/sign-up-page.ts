import { html, nothing } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { register, signIn, type RegisterRequest } from '../api/auth';
import { ApiError } from '../api/http';
import { describeError, looksLikeEmail } from '../components/errors';
import { describedBy, fieldError, MIN_PASSWORD_LENGTH, textField } from '../components/fields';
import { LightElement } from '../components/light-element';
import { currentLocale, supportedLocales, t } from '../i18n';
import { navigate } from '../router';
import { setAccount, setNotice } from '../session';

type Field = 'displayName' | 'email' | 'password' | 'role' | 'birthDate' | 'language';
type Errors = Partial<Record<Field, string>>;
type SignUpRole = RegisterRequest['role'];

const FIELDS: readonly Field[] = ['displayName', 'email', 'password', 'role', 'birthDate', 'language'];

const FIELD_IDS: Record<Field, string> = {
  displayName: 'signup-name',
  email: 'signup-email',
  password: 'signup-password',
  role: 'signup-role-patient',
  birthDate: 'signup-birth-date',
  language: 'signup-language',
};

/** Request body names (as the server reports them in 422 answers) to form fields. */
const SERVER_FIELDS: Record<string, Field> = {
  display_name: 'displayName',
  email: 'email',
  password: 'password',
  role: 'role',
  birth_date: 'birthDate',
  preferred_language: 'language',
};

function today(): string {
  const now = new Date();
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 10);
}

/** Create a patient or caregiver account, then sign in and go home. */
export class SignUpPage extends LightElement {
  static override properties = {
    displayName: { state: true },
    email: { state: true },
    password: { state: true },
    role: { state: true },
    birthDate: { state: true },
    language: { state: true },
    errors: { state: true },
    formError: { state: true },
    busy: { state: true },
  };

  declare displayName: string;
  declare email: string;
  declare password: string;
  declare role: SignUpRole;
  declare birthDate: string;
  declare language: string;
  declare errors: Errors;
  declare formError: string;
  declare busy: boolean;

  constructor() {
    super();
    this.displayName = '';
    this.email = '';
    this.password = '';
    this.role = 'patient';
    this.birthDate = '';
    this.language = currentLocale();
    this.errors = {};
    this.formError = '';
    this.busy = false;
  }

  private validate(): Errors {
    const errors: Errors = {};
    if (!this.displayName.trim()) errors.displayName = t('validation.displayNameRequired');
    if (!this.email.trim()) errors.email = t('validation.emailRequired');
    else if (!looksLikeEmail(this.email)) errors.email = t('validation.emailInvalid');
    if (!this.password) errors.password = t('validation.passwordRequired');
    else if ([...this.password].length < MIN_PASSWORD_LENGTH) {
      errors.password = t('validation.passwordTooShort', { count: MIN_PASSWORD_LENGTH });
    }
    if (this.birthDate && !(this.birthDate <= today())) {
      errors.birthDate = t('validation.birthDateInvalid');
    }
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
    const email = this.email.trim();
    try {
      await register({
        email,
        password: this.password,
        display_name: this.displayName.trim(),
        role: this.role,
        ...(this.birthDate ? { birth_date: this.birthDate } : {}),
        ...(this.language ? { preferred_language: this.language } : {}),
      });
    } catch (error) {
      this.busy = false;
      await this.handleRegisterError(error);
      return;
    }
    try {
      setAccount(await signIn({ email, password: this.password }));
      navigate('/home', { replace: true });
    } catch {
      // The account exists; signing in on the sign-in page covers MFA and rate limits.
      setNotice(t('signUp.createdSignInFailed'));
      navigate('/signin', { replace: true });
    } finally {
      this.busy = false;
    }
  }

  private async handleRegisterError(error: unknown): Promise<void> {
    if (error instanceof ApiError) {
      if (error.code === 'email_taken') {
        await this.showErrors({ email: t('error.emailTaken') }, t('form.errorSummary'));
        return;
      }
      const errors: Errors = {};
      const unplaced: string[] = [];
      for (const [name, message] of Object.entries(error.fieldErrors)) {
        const field = SERVER_FIELDS[name];
        if (field) errors[field] = message;
        else unplaced.push(message);
      }
      // A policy refusal sent as a plain detail still belongs beside the password.
      if (!errors.password && error.detail && error.code.includes('password')) {
        errors.password = error.detail;
      }
      if (Object.keys(errors).length > 0) {
        const summary = [t('form.errorSummary'), ...unplaced].join(' ');
        await this.showErrors(errors, summary);
        return;
      }
    }
    await this.showErrors({}, describeError(error));
  }

  private renderRole() {
    const error = this.errors.role;
    const option = (value: SignUpRole, label: string, hint: string) => {
      const id = `signup-role-${value}`;
      return html`
        <div class="choice">
          <input
            type="radio"
            id=${id}
            name="role"
            value=${value}
            .checked=${this.role === value}
            aria-describedby=${ifDefined(describedBy(id, hint, undefined))}
            @change=${() => (this.role = value)}
          />
          <label for=${id}>${label}</label>
          <p class="field-hint" id="${id}-hint">${hint}</p>
        </div>
      `;
    };
    return html`
      <fieldset
        class="field ${error ? 'field--invalid' : ''}"
        aria-describedby=${ifDefined(error ? 'signup-role-error' : undefined)}
      >
        <legend>${t('field.role')}</legend>
        ${fieldError('signup-role', error)}
        ${option('patient', t('field.rolePatient'), t('field.rolePatientHint'))}
        ${option('caregiver', t('field.roleCaregiver'), t('field.roleCaregiverHint'))}
      </fieldset>
    `;
  }

  private renderLanguage() {
    const id = FIELD_IDS.language;
    const error = this.errors.language;
    return html`
      <div class="field ${error ? 'field--invalid' : ''}">
        <label for=${id}>${t('field.language')}</label>
        ${fieldError(id, error)}
        <select
          id=${id}
          name=${id}
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby=${ifDefined(describedBy(id, undefined, error))}
          @change=${(event: Event) => (this.language = (event.target as HTMLSelectElement).value)}
        >
          ${supportedLocales().map(
            (locale) => html`
              <option value=${locale.code} lang=${locale.code} ?selected=${locale.code === this.language}>
                ${locale.nativeName}
              </option>
            `,
          )}
        </select>
      </div>
    `;
  }

  override render() {
    return html`
      <div class="panel panel--narrow">
        <h1 id="signup-title">${t('signUp.title')}</h1>
        <p class="lead">${t('signUp.intro')}</p>
        <div class="form-error" role="alert" id="signup-error">${this.formError || nothing}</div>
        <form
          novalidate
          @submit=${this.onSubmit}
          aria-labelledby="signup-title"
          aria-describedby=${ifDefined(this.formError ? 'signup-error' : undefined)}
        >
          ${textField({
            id: FIELD_IDS.displayName,
            label: t('field.displayName'),
            hint: t('field.displayNameHint'),
            value: this.displayName,
            error: this.errors.displayName,
            autocomplete: 'name',
            maxlength: 120,
            onInput: (value) => (this.displayName = value),
          })}
          ${textField({
            id: FIELD_IDS.email,
            label: t('field.email'),
            type: 'email',
            value: this.email,
            error: this.errors.email,
            autocomplete: 'email',
            inputmode: 'email',
            onInput: (value) => (this.email = value),
          })}
          ${textField({
            id: FIELD_IDS.password,
            label: t('field.password'),
            type: 'password',
            hint: t('field.passwordNewHint'),
            value: this.password,
            error: this.errors.password,
            autocomplete: 'new-password',
            onInput: (value) => (this.password = value),
          })}
          ${this.renderRole()}
          ${textField({
            id: FIELD_IDS.birthDate,
            label: t('field.birthDate'),
            type: 'date',
            hint: t('field.birthDateHint'),
            value: this.birthDate,
            error: this.errors.birthDate,
            autocomplete: 'bday',
            required: false,
            max: today(),
            onInput: (value) => (this.birthDate = value),
          })}
          ${this.renderLanguage()}
          <button class="button button--primary" type="submit" aria-disabled=${this.busy ? 'true' : 'false'}>
            ${this.busy ? t('form.working') : t('signUp.submit')}
          </button>
        </form>
        <p class="alternate">${t('signUp.haveAccount')} <a href="/signin">${t('signUp.signIn')}</a></p>
      </div>
    `;
  }
}

customElements.define('cv-sign-up', SignUpPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-sign-up': SignUpPage;
  }
}
