import { html } from 'lit';
import { setPreferredLanguage } from '../api/auth';
import { currentLocale, setLocale, storeLanguage, supportedLocales, t } from '../i18n';
import { getAccount, setAccount } from '../session';
import { describeError } from './errors';
import { LightElement } from './light-element';

/**
 * The language switch of the page frame. The choice is kept in this browser (so it holds signed
 * out and on the sign-in page) and, signed in, on the account (so e-mails and notifications and
 * other devices follow it). Until someone chooses, the browser's languages decide.
 */
export class LanguagePicker extends LightElement {
  static override properties = { error: { state: true } };

  declare error: string;

  constructor() {
    super();
    this.error = '';
  }

  private async choose(event: Event): Promise<void> {
    const code = (event.target as HTMLSelectElement).value;
    this.error = '';
    storeLanguage(code);
    const account = getAccount();
    if (!account) {
      setLocale(code);
      return;
    }
    try {
      setAccount(await setPreferredLanguage(code));
    } catch (error) {
      // Kept in this browser at least; the account keeps its old language.
      setLocale(code);
      this.error = describeError(error);
    }
  }

  override render() {
    const current = currentLocale();
    return html`
      <div class="language-picker">
        <label for="language-picker">${t('language.label')}</label>
        <select id="language-picker" @change=${this.choose}>
          ${supportedLocales().map(
            (locale) => html`<option value=${locale.code} lang=${locale.code} ?selected=${locale.code === current}>
              ${locale.nativeName}
            </option>`,
          )}
        </select>
        ${this.error ? html`<p class="form-error" role="alert">${this.error}</p>` : ''}
      </div>
    `;
  }
}

customElements.define('cv-language-picker', LanguagePicker);

declare global {
  interface HTMLElementTagNameMap {
    'cv-language-picker': LanguagePicker;
  }
}
