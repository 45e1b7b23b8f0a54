import { html, nothing } from 'lit';
import { LightElement } from '../components/light-element';
import { t } from '../i18n';
import {
  onWorldSettings,
  updateWorldSettings,
  worldSettings,
  type WorldMode,
  type WorldSettings,
} from './settings';

/**
 * Settings for the space: call volume, comfort (reduced motion, snap turning) and the mode
 * (3D or the accessible 2D view). Saved in this browser; the page listens for changes.
 */
export class WorldSettingsPanel extends LightElement {
  static override properties = {
    mode: { type: String },
    webgl: { type: Boolean },
    settings: { state: true },
  };

  /** The mode in use now (may differ from the saved choice when the address forces one). */
  declare mode: WorldMode;
  declare webgl: boolean;
  declare settings: WorldSettings;
  private stop: (() => void) | null = null;

  constructor() {
    super();
    this.mode = '3d';
    this.webgl = true;
    this.settings = worldSettings();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stop = onWorldSettings((settings) => (this.settings = settings));
  }

  override disconnectedCallback(): void {
    this.stop?.();
    this.stop = null;
    super.disconnectedCallback();
  }

  override render() {
    const s = this.settings;
    const volume = Math.round(s.volume * 100);
    return html`
      <section class="world-panel" aria-labelledby="settings-title">
        <h2 id="settings-title">${t('world.settings.title')}</h2>
        <form class="world-settings" @submit=${(e: Event) => e.preventDefault()}>
          <div class="field">
            <label for="world-volume">${t('world.settings.volume')}</label>
            <input
              id="world-volume"
              type="range"
              min="0"
              max="100"
              step="5"
              .value=${String(volume)}
              aria-valuetext=${t('world.settings.volumeValue', { count: volume })}
              @input=${(e: Event) =>
                updateWorldSettings({ volume: Number((e.target as HTMLInputElement).value) / 100 })}
            />
          </div>
          <fieldset class="field">
            <legend>${t('world.settings.comfort')}</legend>
            <div class="choice">
              <input
                id="world-reduced-motion"
                type="checkbox"
                .checked=${s.reducedMotion}
                aria-describedby="world-reduced-motion-hint"
                @change=${(e: Event) =>
                  updateWorldSettings({ reducedMotion: (e.target as HTMLInputElement).checked })}
              />
              <label for="world-reduced-motion">${t('world.settings.reducedMotion')}</label>
              <p class="field-hint" id="world-reduced-motion-hint">${t('world.settings.reducedMotionHint')}</p>
            </div>
            <div class="choice">
              <input
                id="world-snap-turn"
                type="checkbox"
                .checked=${s.snapTurn}
                aria-describedby="world-snap-turn-hint"
                @change=${(e: Event) =>
                  updateWorldSettings({ snapTurn: (e.target as HTMLInputElement).checked })}
              />
              <label for="world-snap-turn">${t('world.settings.snapTurn')}</label>
              <p class="field-hint" id="world-snap-turn-hint">${t('world.settings.snapTurnHint')}</p>
            </div>
          </fieldset>
          <fieldset class="field">
            <legend>${t('world.settings.mode')}</legend>
            <div class="choice">
              <input
                id="world-mode-3d"
                type="radio"
                name="world-mode"
                value="3d"
                .checked=${this.mode === '3d'}
                ?disabled=${!this.webgl}
                aria-describedby=${this.webgl ? nothing : 'world-mode-3d-hint'}
                @change=${() => updateWorldSettings({ mode: '3d' })}
              />
              <label for="world-mode-3d">${t('world.settings.mode3d')}</label>
              ${this.webgl
                ? nothing
                : html`<p class="field-hint" id="world-mode-3d-hint">${t('world.settings.no3d')}</p>`}
            </div>
            <div class="choice">
              <input
                id="world-mode-2d"
                type="radio"
                name="world-mode"
                value="2d"
                .checked=${this.mode === '2d'}
                aria-describedby="world-mode-2d-hint"
                @change=${() => updateWorldSettings({ mode: '2d' })}
              />
              <label for="world-mode-2d">${t('world.settings.mode2d')}</label>
              <p class="field-hint" id="world-mode-2d-hint">${t('world.settings.mode2dHint')}</p>
            </div>
          </fieldset>
        </form>
      </section>
    `;
  }
}

customElements.define('cv-world-settings', WorldSettingsPanel);

declare global {
  interface HTMLElementTagNameMap {
    'cv-world-settings': WorldSettingsPanel;
  }
}
