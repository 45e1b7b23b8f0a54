import { html, nothing } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { register, signIn, type RegisterRequest } from '../api/auth';
import { looksLikeEmail } from '../components/errors';
import { describedBy, fieldError, MIN_PASSWORD_LENGTH, textField } from '../components/fields';
import { LightElement } from '../components/light-element';
import { FormController, type FieldErrorsOf } from '../controllers/form';
import { currentLocale, supportedLocales, t } from '../i18n';
import { navigate } from '../router';
import { setAccount, setNotice } from '../session';

type SignUpRole = RegisterRequest['role'];

interface SignUpValues {
  displayName: string;
  email: string;
  password: string;
  role: SignUpRole;
  birthDate: string;
  language: string;
}

function today(): string {
  const now = new Date();
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 10);
}

/** Create a patient or caregiver account, then sign in and go home. */
export class SignUpPage extends LightElement {
  private form = new FormController<SignUpValues>(this, {
    values: {
      displayName: '',
      email: '',
      password: '',
      role: 'patient',
      birthDate: '',
      language: currentLocale(),
    },
    ids: {
      displayName: 'signup-name',
      email: 'signup-email',
      password: 'signup-password',
      role: 'signup-role-patient',
      birthDate: 'signup-birth-date',
      language: 'signup-language',
    },
    serverFields: {
      display_name: 'displayName',
      email: 'email',
      password: 'password',
      role: 'role',
      birth_date: 'birthDate',
      preferred_language: 'language',
    },
  });

  private validate(): FieldErrorsOf<SignUpValues> {
    const { displayName, email, password, birthDate } = this.form.values;
    const errors: FieldErrorsOf<SignUpValues> = {};
    if (!displayName.trim()) errors.displayName = t('validation.displayNameRequired');
    if (!email.trim()) errors.email = t('validation.emailRequired');
    else if (!looksLikeEmail(email)) errors.email = t('validation.emailInvalid');
    if (!password) errors.password = t('validation.passwordRequired');
    else if ([...password].length < MIN_PASSWORD_LENGTH) {
      errors.password = t('validation.passwordTooShort', { count: MIN_PASSWORD_LENGTH });
    }
    if (birthDate && !(birthDate <= today())) {
      errors.birthDate = t('validation.birthDateInvalid');
    }
    return errors;
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    const values = this.form.values;
    const email = values.email.trim();
    await this.form.submit(event, {
      validate: () => this.validate(),
      send: async () => {
        await register({
          email,
          password: values.password,
          display_name: values.displayName.trim(),
          role: values.role,
          ...(values.birthDate ? { birth_date: values.birthDate } : {}),
          ...(values.language ? { preferred_language: values.language } : {}),
        });
        // The form stays busy while signing in to the new account. Sign-up answers the same
        // whether or not the address already had an account (its owner is e-mailed instead).
        try {
          setAccount(await signIn({ email, password: values.password }));
          navigate('/home', { replace: true });
        } catch {
          // The sign-in page covers MFA, rate limits and "Forgot password".
          setNotice(t('signUp.createdSignInFailed'));
          navigate('/signin', { replace: true });
        }
      },
      refine: (errors, error) => {
        // A policy refusal sent as a plain detail still belongs beside the password.
        if (!errors.password && error.detail && error.code.includes('password')) {
          errors.password = error.detail;
        }
      },
    });
  }

  private renderRole() {
    const error = this.form.errors.role;
    const option = (value: SignUpRole, label: string, hint: string) => {
      const id = `signup-role-${value}`;
      return html`
        <div class="choice">
          <input
            type="radio"
            id=${id}
            name="role"
            value=${value}
            .checked=${this.form.values.role === value}
            aria-describedby=${ifDefined(describedBy(id, hint, undefined))}
            @change=${() => this.form.set('role', value)}
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
    const id = 'signup-language';
    const error = this.form.errors.language;
    return html`
      <div class="field ${error ? 'field--invalid' : ''}">
        <label for=${id}>${t('field.language')}</label>
        ${fieldError(id, error)}
        <select
          id=${id}
          name=${id}
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby=${ifDefined(describedBy(id, undefined, error))}
          @change=${(event: Event) => this.form.set('language', (event.target as HTMLSelectElement).value)}
        >
          ${supportedLocales().map(
            (locale) => html`
              <option value=${locale.code} lang=${locale.code} ?selected=${locale.code === this.form.values.language}>
                ${locale.nativeName}
              </option>
            `,
          )}
        </select>
      </div>
    `;
  }

  override render() {
    const form = this.form;
    const error = form.feedback.error;
    return html`
      <div class="panel panel--narrow">
        <h1 id="signup-title">${t('signUp.title')}</h1>
        <p class="lead">${t('signUp.intro')}</p>
        <div class="form-error" role="alert" id="signup-error">${error || nothing}</div>
        <form
          novalidate
          @submit=${this.onSubmit}
          aria-labelledby="signup-title"
          aria-describedby=${ifDefined(error ? 'signup-error' : undefined)}
        >
          ${textField({
            ...form.field('displayName'),
            label: t('field.displayName'),
            hint: t('field.displayNameHint'),
            autocomplete: 'name',
            maxlength: 120,
          })}
          ${textField({
            ...form.field('email'),
            label: t('field.email'),
            type: 'email',
            autocomplete: 'email',
            inputmode: 'email',
          })}
          ${textField({
            ...form.field('password'),
            label: t('field.password'),
            type: 'password',
            hint: t('field.passwordNewHint'),
            autocomplete: 'new-password',
          })}
          ${this.renderRole()}
          ${textField({
            ...form.field('birthDate'),
            label: t('field.birthDate'),
            type: 'date',
            hint: t('field.birthDateHint'),
            autocomplete: 'bday',
            required: false,
            max: today(),
          })}
          ${this.renderLanguage()}
          <button class="button button--primary" type="submit" aria-disabled=${form.submitting ? 'true' : 'false'}>
            ${form.submitting ? t('form.working') : t('signUp.submit')}
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
