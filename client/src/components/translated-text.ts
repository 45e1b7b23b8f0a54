import { html, nothing } from 'lit';
import { translate, type Translation } from '../api/translation';
import { currentLocale, t } from '../i18n';
import { LightElement } from './light-element';
import './translated-text.css';

/**
 * Someone's words (a chat line, a message) with a "Translate" button for the reader: the machine
 * translation into the reader's language appears beside the original, marked as machine-made.
 * Doses, medicine names and numbers are kept exactly by the server (docs/i18n.md). Your own
 * words (`mine`) get no button.
 */
export class TranslatedText extends LightElement {
  static override properties = {
    text: { type: String },
    mine: { type: Boolean },
    state: { state: true },
  };

  declare text: string;
  declare mine: boolean;
  declare state: 'idle' | 'busy' | 'none' | 'failed' | Translation;

  constructor() {
    super();
    this.text = '';
    this.mine = false;
    this.state = 'idle';
  }

  private async run(): Promise<void> {
    if (this.state !== 'idle' && this.state !== 'failed') {
      this.state = 'idle'; // a second press hides the translation
      return;
    }
    this.state = 'busy';
    try {
      this.state = (await translate(this.text, currentLocale())) ?? 'none';
    } catch {
      this.state = 'failed';
    }
  }

  private result() {
    const state = this.state;
    if (state === 'none') return html`<span class="translation translation--none">${t('translation.none')}</span>`;
    if (state === 'failed') return html`<span class="translation translation--none">${t('translation.failed')}</span>`;
    if (typeof state === 'string') return nothing;
    return html`<span class="translation" lang=${state.target}>
      <span class="translation__mark">${t('translation.machine')}</span>
      <span class="translation__text">${state.text}</span>
    </span>`;
  }

  override render() {
    const shown = typeof this.state !== 'string';
    return html`<span class="translated-original">${this.text}</span>${this.mine
        ? nothing
        : html` <button
              class="button button--quiet button--small translate-button"
              type="button"
              aria-pressed=${shown ? 'true' : 'false'}
              aria-disabled=${this.state === 'busy' ? 'true' : 'false'}
              @click=${() => this.run()}
            >
              ${this.state === 'busy' ? t('translation.working') : t('translation.translate')}
            </button>
            <span aria-live="polite">${this.result()}</span>`}`;
  }
}

customElements.define('cv-translated-text', TranslatedText);

declare global {
  interface HTMLElementTagNameMap {
    'cv-translated-text': TranslatedText;
  }
}
