import { html, nothing } from 'lit';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { CallError, type CallManager, type CallPeer } from '../../world/calls';
import './consult-call.css';

/**
 * The consult room's call, as the main view: the other person's video large (the first
 * connected person; anyone else in a strip below), your own camera as a small picture in
 * picture, and big controls (join, mute, camera, leave). When the visit has ended it says so
 * instead. Sound is the CallManager's (Web Audio); the videos stay muted.
 *
 * Properties: `calls` (the space's CallManager), `names` (avatar id → name), `ended` (why the
 * room closed, '' while open), `roomRole` (one's role in the room).
 */
export class ConsultCall extends LightElement {
  static override properties = {
    calls: { attribute: false },
    names: { attribute: false },
    ended: { type: String },
    roomRole: { type: String, attribute: 'room-role' },
    busy: { state: true },
    error: { state: true },
    announcement: { state: true },
  };

  declare calls: CallManager | null;
  declare names: Map<string, string>;
  declare ended: string;
  /** One's role in the room (where "ended" sends one on: appointments, consultations, home). */
  declare roomRole: string;
  declare busy: boolean;
  declare error: string;
  declare announcement: string;

  private bound: CallManager | null = null;
  private wasConnected = false;
  private readonly onChange = () => this.callsChanged();

  constructor() {
    super();
    this.calls = null;
    this.names = new Map();
    this.ended = '';
    this.roomRole = '';
    this.busy = false;
    this.error = '';
    this.announcement = '';
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('calls')) this.bind(this.calls);
    if (changed.has('ended') && this.ended) this.calls?.leave();
  }

  override disconnectedCallback(): void {
    this.bind(null);
    super.disconnectedCallback();
  }

  /** Chrome pauses muted autoplay videos that were off screen: start them explicitly. */
  override updated(): void {
    for (const video of this.querySelectorAll('video')) {
      if (video.srcObject && video.paused) void video.play().catch(() => undefined);
    }
  }

  private bind(calls: CallManager | null): void {
    if (this.bound === calls) return;
    this.bound?.removeEventListener('change', this.onChange);
    this.bound = calls;
    calls?.addEventListener('change', this.onChange);
  }

  private callsChanged(): void {
    const connected = this.main()?.state === 'connected';
    if (connected !== this.wasConnected && this.calls?.joined) {
      const name = this.nameOf(this.main());
      this.announcement = connected ? t('care.videoCall.connected', { name }) : t('call.reconnecting');
    }
    this.wasConnected = connected;
    this.requestUpdate();
  }

  private main(): CallPeer | undefined {
    const peers = this.calls?.peers() ?? [];
    return peers.find((p) => p.state === 'connected') ?? peers[0];
  }

  private nameOf(peer: CallPeer | undefined): string {
    if (!peer) return t('call.someone');
    return this.names.get(peer.id) || peer.name || t('call.someone');
  }

  private async join(): Promise<void> {
    const calls = this.calls;
    if (!calls || this.busy) return;
    this.busy = true;
    this.error = '';
    try {
      await calls.join({ audio: true, video: true });
      this.announcement = t('call.youJoined');
      await this.focusById('consult-call-mute');
    } catch (error) {
      this.error = t(error instanceof CallError ? error.key : 'call.error.failed');
    } finally {
      this.busy = false;
    }
  }

  private leave(): void {
    this.calls?.leave();
    this.announcement = t('call.youLeft');
    void this.focusById('consult-call-join');
  }

  private async toggleCamera(): Promise<void> {
    const calls = this.calls;
    if (!calls || this.busy) return;
    this.busy = true;
    try {
      await calls.setCamera(!calls.cameraOn);
    } catch (error) {
      this.error = t(error instanceof CallError ? error.key : 'call.error.failed');
    } finally {
      this.busy = false;
    }
  }

  private toggleMute(): void {
    const calls = this.calls;
    if (!calls) return;
    calls.setMuted(!calls.muted);
    this.announcement = t(calls.muted ? 'call.micOff' : 'call.micOn');
  }

  override render() {
    const live = html`<div class="visually-hidden" aria-live="polite" aria-atomic="true">${this.announcement}</div>`;
    return html`
      <section class="consult-call" aria-labelledby="consult-call-title">
        <h2 id="consult-call-title" class="visually-hidden">${t('care.videoCall.title')}</h2>
        ${this.ended ? this.renderEnded() : this.renderCall()}
        ${this.error ? html`<p class="form-error" role="alert">${this.error}</p>` : nothing}
        ${live}
      </section>
    `;
  }

  private renderEnded() {
    return html`<div class="consult-call__stage consult-call__stage--ended" data-visit-ended>
      <p class="consult-call__ended" role="status">${this.ended}</p>
      <p>${t('care.videoCall.endedHint')}</p>
      ${this.roomRole === 'patient'
        ? html`<a class="button button--primary" href="/appointments">${t('care.videoCall.toAppointments')}</a>`
        : this.roomRole === 'clinician'
          ? html`<a class="button button--primary" href="/consultations">${t('care.videoCall.toConsultations')}</a>`
          : html`<a class="button button--primary" href="/home">${t('care.videoCall.home')}</a>`}
    </div>`;
  }

  private renderCall() {
    const calls = this.calls;
    if (!calls?.joined) {
      return html`<div class="consult-call__stage consult-call__stage--idle">
        <p>${t('care.videoCall.intro')}</p>
        <button id="consult-call-join" class="button button--primary consult-call__big" type="button"
          ?disabled=${!calls || this.busy} @click=${() => this.join()}>
          ${this.busy ? t('call.joining') : t('call.join')}
        </button>
      </div>`;
    }
    const peers = calls.peers();
    const main = this.main();
    const others = peers.filter((p) => p.id !== main?.id);
    return html`
      <div class="consult-call__stage">
        ${main ? this.renderTile(main, true) : html`<div class="consult-call__waiting" role="status">${t('care.videoCall.waiting')}</div>`}
        ${this.renderSelf(calls)}
      </div>
      ${others.length
        ? html`<ul class="consult-call__others" role="list">
            ${others.map((p) => html`<li>${this.renderTile(p, false)}</li>`)}
          </ul>`
        : nothing}
      <div class="consult-call__controls">
        <button id="consult-call-mute" class="button button--secondary" type="button" ?disabled=${calls.moderatorMuted}
          aria-pressed=${calls.muted ? 'true' : 'false'} @click=${() => this.toggleMute()}>
          ${calls.muted ? t('call.unmute') : t('call.mute')}
        </button>
        <button id="consult-call-camera" class="button button--secondary" type="button" ?disabled=${this.busy}
          @click=${() => this.toggleCamera()}>${calls.cameraOn ? t('call.cameraOff') : t('call.cameraOn')}</button>
        <button id="consult-call-leave" class="button button--danger" type="button" @click=${() => this.leave()}>
          ${t('call.leave')}
        </button>
      </div>
    `;
  }

  private renderTile(peer: CallPeer, large: boolean) {
    const name = this.nameOf(peer);
    const state =
      peer.state === 'connected'
        ? ''
        : peer.state === 'disconnected' || peer.state === 'failed'
          ? t('call.reconnecting')
          : t('call.connecting');
    return html`
      <figure class="consult-call__tile ${large ? 'consult-call__tile--main' : ''} ${peer.speaking ? 'consult-call__tile--speaking' : ''}"
        data-remote-tile=${peer.id} data-state=${peer.state}>
        <video data-peer=${peer.id} .srcObject=${peer.stream} .muted=${true} ?hidden=${!peer.video} autoplay
          playsinline aria-hidden="true"></video>
        ${peer.video ? nothing : html`<div class="consult-call__placeholder" aria-hidden="true">${name}</div>`}
        <figcaption>
          <span class="consult-call__name">${name}</span>
          ${state ? html`<span class="consult-call__state">${state}</span>` : nothing}
          ${peer.speaking ? html`<span class="consult-call__speaking">${t('call.speaking')}</span>` : nothing}
        </figcaption>
      </figure>
    `;
  }

  private renderSelf(calls: CallManager) {
    return html`
      <figure class="consult-call__self" data-self-tile>
        <video data-local .srcObject=${calls.localStream} .muted=${true} ?hidden=${!calls.cameraOn} autoplay
          playsinline aria-hidden="true"></video>
        ${calls.cameraOn ? nothing : html`<div class="consult-call__placeholder" aria-hidden="true">${t('call.cameraIsOff')}</div>`}
        <figcaption class="visually-hidden">${calls.muted ? t('call.youMuted') : t('call.you')}</figcaption>
      </figure>
    `;
  }
}

customElements.define('cv-consult-call', ConsultCall);

declare global {
  interface HTMLElementTagNameMap {
    'cv-consult-call': ConsultCall;
  }
}
