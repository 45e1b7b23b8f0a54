import { html, nothing } from 'lit';
import { t } from '../i18n';
import { LightElement } from '../components/light-element';
import { CallError, type CallManager, type CallPeer } from './calls';

const CAMERA_CHOICE = 'cv.call.camera';
const MEETING_MODE = 'cv.call.meeting.';

/** Styles of the panel only (light DOM: scoped by the element's name). */
const STYLES = `
cv-call-panel { display: block; }
cv-call-panel .call__controls { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin-block: 0.5rem; }
cv-call-panel .call__switch { display: flex; gap: 0.5rem; align-items: center; margin-block: 0.5rem; }
cv-call-panel .call__switch input { inline-size: 1.25rem; block-size: 1.25rem; }
cv-call-panel .call__hint { color: var(--cv-muted); font-size: 0.875rem; margin: 0; }
cv-call-panel .call__tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr)); gap: 0.5rem; padding: 0; margin: 0.5rem 0; list-style: none; }
cv-call-panel .call__tile { position: relative; border: 2px solid var(--cv-border); border-radius: var(--cv-radius); padding: 0.35rem; background: var(--cv-surface); }
cv-call-panel .call__tile--speaking { border-color: var(--cv-success); box-shadow: 0 0 0 2px var(--cv-success); }
cv-call-panel .call__tile video { display: block; inline-size: 100%; aspect-ratio: 16 / 9; object-fit: cover; background: #1b2a33; border-radius: calc(var(--cv-radius) / 2); }
cv-call-panel .call__tile video[hidden] { display: none; }
cv-call-panel .call__placeholder { display: flex; align-items: center; justify-content: center; aspect-ratio: 16 / 9; background: var(--cv-primary-tint); border-radius: calc(var(--cv-radius) / 2); font-weight: 600; text-align: center; padding: 0.25rem; }
cv-call-panel .call__name { font-weight: 600; margin: 0.25rem 0 0; overflow-wrap: anywhere; }
cv-call-panel .call__state { color: var(--cv-muted); font-size: 0.875rem; margin: 0; }
cv-call-panel .call__speaking { color: var(--cv-success); font-size: 0.875rem; font-weight: 600; margin: 0; }
cv-call-panel .call__volume { display: block; font-size: 0.875rem; margin-block-start: 0.25rem; }
cv-call-panel .call__volume input { inline-size: 100%; }
cv-call-panel .call__note { border-inline-start: 4px solid var(--cv-warning); background: var(--cv-warning-bg); color: var(--cv-warning); padding: 0.4rem 0.6rem; margin: 0.5rem 0; }
cv-call-panel .call__error { border-inline-start: 4px solid var(--cv-error); background: var(--cv-error-bg); color: var(--cv-error); padding: 0.4rem 0.6rem; margin: 0.5rem 0; }
`;

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeStorage(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private browsing: the choice lasts for this page only.
  }
}

/**
 * The call's controls and video tiles: join/leave, mute, camera, meeting mode, a tile with a
 * volume slider per person, who is speaking, and the note when more people are in range than a
 * peer-to-peer call can carry. Joins and leaves are announced to screen readers.
 *
 * Properties: `calls` (the CallManager), `names` (avatar id → name, for people not yet
 * connected), `room` (the space id: meeting mode is remembered per room) and `meetingDefault`
 * (the room template's choice when the person has not chosen).
 */
export class CallPanel extends LightElement {
  static override properties = {
    calls: { attribute: false },
    names: { attribute: false },
    room: { type: String },
    meetingDefault: { type: Boolean, attribute: 'meeting-default' },
    busy: { state: true },
    error: { state: true },
    announcement: { state: true },
    withCamera: { state: true },
  };

  declare calls: CallManager | null;
  declare names: Map<string, string> | Record<string, string> | null;
  declare room: string;
  declare meetingDefault: boolean;
  declare busy: boolean;
  declare error: string;
  declare announcement: string;
  declare withCamera: boolean;

  private bound: CallManager | null = null;
  private known = new Set<string>();
  private readonly onChange = () => this.callsChanged();

  constructor() {
    super();
    this.calls = null;
    this.names = null;
    this.room = '';
    this.meetingDefault = false;
    this.busy = false;
    this.error = '';
    this.announcement = '';
    this.withCamera = readStorage(CAMERA_CHOICE) !== 'off';
  }

  override disconnectedCallback(): void {
    this.bind(null);
    super.disconnectedCallback();
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('calls')) this.bind(this.calls);
    if ((changed.has('calls') || changed.has('room') || changed.has('meetingDefault')) && this.calls) {
      this.calls.setSpatial(!this.meetingMode());
    }
  }

  /**
   * Start every tile's video explicitly: Chrome pauses `autoplay` videos that are muted and out
   * of view (a side panel below the fold), and a paused tile would freeze.
   */
  override updated(): void {
    for (const video of this.querySelectorAll('video')) {
      if (video.srcObject && video.paused) void video.play().catch(() => undefined);
    }
  }

  private bind(calls: CallManager | null): void {
    if (this.bound === calls) return;
    this.bound?.removeEventListener('change', this.onChange);
    this.bound?.removeEventListener('speaking', this.onChange);
    this.bound?.removeEventListener('limit', this.onChange);
    this.bound = calls;
    this.known = new Set(calls?.peers().map((p) => p.id) ?? []);
    calls?.addEventListener('change', this.onChange);
    calls?.addEventListener('speaking', this.onChange);
    calls?.addEventListener('limit', this.onChange);
  }

  /** Announce who came and went (connected peers), then re-render. */
  private callsChanged(): void {
    const calls = this.calls;
    if (!calls) return;
    const now = new Set(calls.peers().filter((p) => p.state === 'connected').map((p) => p.id));
    const joined = [...now].filter((id) => !this.known.has(id));
    const left = [...this.known].filter((id) => !now.has(id));
    const messages = [
      ...joined.map((id) => t('call.joinedAnnounce', { name: this.nameOf(id) })),
      ...left.map((id) => t('call.leftAnnounce', { name: this.nameOf(id) })),
    ];
    if (messages.length) this.announcement = messages.join(' ');
    this.known = now;
    this.requestUpdate();
  }

  private nameOf(id: string, peer?: CallPeer): string {
    const names = this.names;
    const fromNames = names instanceof Map ? names.get(id) : names?.[id];
    return fromNames || peer?.name || this.calls?.peers().find((p) => p.id === id)?.name || t('call.someone');
  }

  private meetingMode(): boolean {
    const stored = this.room ? readStorage(MEETING_MODE + this.room) : null;
    return stored === null ? this.meetingDefault : stored === 'on';
  }

  private async join(): Promise<void> {
    const calls = this.calls;
    if (!calls || this.busy) return;
    this.busy = true;
    this.error = '';
    try {
      await calls.join({ audio: true, video: this.withCamera });
      this.announcement = t('call.youJoined');
      await this.focusById('call-leave');
    } catch (error) {
      this.error = t(error instanceof CallError ? error.key : 'call.error.failed');
    } finally {
      this.busy = false;
    }
  }

  private async leave(): Promise<void> {
    this.calls?.leave();
    this.known = new Set();
    this.announcement = t('call.youLeft');
    await this.focusById('call-join');
  }

  private toggleMute(): void {
    const calls = this.calls;
    if (!calls) return;
    calls.setMuted(!calls.muted);
    this.announcement = t(calls.muted ? 'call.micOff' : 'call.micOn');
  }

  private async toggleCamera(): Promise<void> {
    const calls = this.calls;
    if (!calls || this.busy) return;
    this.busy = true;
    this.error = '';
    try {
      await calls.setCamera(!calls.cameraOn);
    } catch (error) {
      this.error = t(error instanceof CallError ? error.key : 'call.error.failed');
    } finally {
      this.busy = false;
    }
  }

  private chooseCamera(event: Event): void {
    this.withCamera = (event.target as HTMLInputElement).checked;
    writeStorage(CAMERA_CHOICE, this.withCamera ? 'on' : 'off');
  }

  private switchMeetingMode(event: Event): void {
    const on = (event.target as HTMLInputElement).checked;
    if (this.room) writeStorage(MEETING_MODE + this.room, on ? 'on' : 'off');
    this.calls?.setSpatial(!on);
    this.requestUpdate();
  }

  private changeVolume(id: string, event: Event): void {
    this.calls?.setVolume(id, Number((event.target as HTMLInputElement).value) / 100);
  }

  private renderSelf(calls: CallManager) {
    const stream = calls.localStream;
    const speaking = calls.selfSpeaking && !calls.muted;
    return html`
      <li class="call__tile ${speaking ? 'call__tile--speaking' : ''}">
        <video data-local .srcObject=${stream} .muted=${true} ?hidden=${!calls.cameraOn} autoplay playsinline
          aria-hidden="true"></video>
        ${calls.cameraOn ? nothing : html`<div class="call__placeholder" aria-hidden="true">${t('call.cameraIsOff')}</div>`}
        <p class="call__name">${calls.muted ? t('call.youMuted') : t('call.you')}</p>
        ${speaking ? html`<p class="call__speaking">${t('call.speaking')}</p>` : nothing}
      </li>
    `;
  }

  private renderPeer(peer: CallPeer) {
    const name = this.nameOf(peer.id, peer);
    const state =
      peer.state === 'connected'
        ? ''
        : peer.state === 'disconnected' || peer.state === 'failed'
          ? t('call.reconnecting')
          : t('call.connecting');
    const sliderId = `call-volume-${peer.id}`;
    return html`
      <li class="call__tile ${peer.speaking ? 'call__tile--speaking' : ''}" data-peer-tile=${peer.id}>
        <video data-peer=${peer.id} .srcObject=${peer.stream} .muted=${true} ?hidden=${!peer.video} autoplay
          playsinline aria-hidden="true"></video>
        ${peer.video ? nothing : html`<div class="call__placeholder" aria-hidden="true">${name}</div>`}
        <p class="call__name">${name}</p>
        ${state ? html`<p class="call__state">${state}</p>` : nothing}
        ${peer.moderated ? html`<p class="call__state">${t('call.peerMutedByFacilitator')}</p>` : nothing}
        ${peer.speaking ? html`<p class="call__speaking">${t('call.speaking')}</p>` : nothing}
        <label class="call__volume" for=${sliderId}>${t('call.volumeFor', { name })}</label>
        <input id=${sliderId} type="range" min="0" max="100" step="5" .value=${String(Math.round(peer.volume * 100))}
          @input=${(event: Event) => this.changeVolume(peer.id, event)} />
      </li>
    `;
  }

  override render() {
    const calls = this.calls;
    const live = html`<div class="visually-hidden" aria-live="polite" aria-atomic="true">${this.announcement}</div>`;
    const error = this.error ? html`<div class="call__error" role="alert">${this.error}</div>` : nothing;
    const styles = html`<style>${STYLES}</style>`;
    if (!calls?.joined) {
      return html`
        ${styles}
        <section class="call" aria-labelledby="call-title">
          <h2 id="call-title">${t('call.title')}</h2>
          <p class="call__hint">${t('call.intro')}</p>
          <div class="call__switch">
            <input id="call-with-camera" type="checkbox" .checked=${this.withCamera} @change=${this.chooseCamera} />
            <label for="call-with-camera">${t('call.startWithCamera')}</label>
          </div>
          <div class="call__controls">
            <button id="call-join" class="button button--primary" type="button" ?disabled=${!calls || this.busy}
              @click=${this.join}>${this.busy ? t('call.joining') : t('call.join')}</button>
          </div>
          ${error} ${live}
        </section>
      `;
    }
    const peers = calls.peers();
    const { waiting } = calls.limit;
    const meeting = !calls.spatial;
    return html`
      ${styles}
      <section class="call" aria-labelledby="call-title">
        <h2 id="call-title">${t('call.title')}</h2>
        <div class="call__controls">
          <button id="call-mute" class="button button--secondary" type="button" ?disabled=${calls.moderatorMuted}
            aria-describedby=${calls.moderatorMuted ? 'call-moderated' : nothing} @click=${this.toggleMute}>
            ${calls.muted ? t('call.unmute') : t('call.mute')}
          </button>
          <button id="call-camera" class="button button--secondary" type="button" ?disabled=${this.busy}
            @click=${this.toggleCamera}>${calls.cameraOn ? t('call.cameraOff') : t('call.cameraOn')}</button>
          <button id="call-leave" class="button button--danger" type="button" @click=${this.leave}>
            ${t('call.leave')}
          </button>
        </div>
        ${calls.moderatorMuted ? html`<p id="call-moderated" class="call__note">${t('call.mutedByFacilitator')}</p>` : nothing}
        <div class="call__switch">
          <input id="call-meeting-mode" type="checkbox" role="switch" .checked=${meeting}
            aria-describedby="call-meeting-hint" @change=${this.switchMeetingMode} />
          <label for="call-meeting-mode">${t('call.meetingMode')}</label>
        </div>
        <p id="call-meeting-hint" class="call__hint">${t('call.meetingModeHint')}</p>
        ${waiting > 0 ? html`<p class="call__note" role="status">${t('call.limit', { count: calls.maxPeers })}</p>` : nothing}
        ${peers.length === 0 ? html`<p class="call__hint">${t('call.alone')}</p>` : nothing}
        <ul class="call__tiles" role="list">
          ${this.renderSelf(calls)} ${peers.map((peer) => this.renderPeer(peer))}
        </ul>
        ${error} ${live}
      </section>
    `;
  }
}

customElements.define('cv-call-panel', CallPanel);

declare global {
  interface HTMLElementTagNameMap {
    'cv-call-panel': CallPanel;
  }
}
