import { html, nothing } from 'lit';
import { api } from '../../api/typed';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';

type Frequency = 'off' | 'daily' | 'weekly';
const FREQUENCIES: readonly Frequency[] = ['off', 'daily', 'weekly'];

/**
 * The member's community e-mail digest (`GET|PUT /api/community/digest`): none by default. The
 * e-mail holds only counts and a link — no post text and no community names — which the
 * setting says, so a member knows what their inbox will show.
 */
export class CommunityDigestSetting extends LightElement {
  static override properties = {
    frequency: { state: true },
    notice: { state: true },
    error: { state: true },
    busy: { state: true },
  };

  declare frequency: Frequency | null;
  declare notice: string;
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.frequency = null;
    this.notice = '';
    this.error = '';
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.frequency = (await api.get('/api/community/digest')).frequency;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async save(event: Event): Promise<void> {
    event.preventDefault();
    const chosen = new FormData(event.target as HTMLFormElement).get('frequency') as Frequency;
    this.busy = true;
    this.notice = '';
    this.error = '';
    try {
      this.frequency = (await api.put('/api/community/digest', { body: { frequency: chosen } })).frequency;
      this.notice = t(`community.digest.saved.${this.frequency}` as MessageKey);
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    if (this.frequency === null) {
      return this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing;
    }
    return html`<details class="community-digest">
      <summary>${t('community.digest.title')}</summary>
      <form @submit=${this.save}>
        <p class="hint" id="digest-hint">${t('community.digest.hint')}</p>
        <label for="digest-frequency">${t('community.digest.label')}</label>
        <select id="digest-frequency" name="frequency" aria-describedby="digest-hint">
          ${FREQUENCIES.map(
            (f) => html`<option value=${f} ?selected=${this.frequency === f}>
              ${t(`community.digest.${f}` as MessageKey)}
            </option>`,
          )}
        </select>
        <button type="submit" ?disabled=${this.busy}>${t('community.digest.save')}</button>
        <p role="status">${this.notice || nothing}</p>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      </form>
    </details>`;
  }
}

customElements.define('cv-community-digest', CommunityDigestSetting);
