import { html, nothing } from 'lit';
import { announceCall } from '../components/admission-call';
import type { Account } from '../api/auth';
import { ApiError } from '../api/http';
import { getSpace, HALF_EXTENT, PACER_TEMPLATES, type Space } from '../api/world';
import { describeError } from '../components/errors';
import { headerFolded, onHeaderFold, setHeaderFolded } from '../components/header-fold';
import { LightElement } from '../components/light-element';
import { LoadingController } from '../controllers/loading';
import { t } from '../i18n';
import { Announcer } from '../world/announcer';
import { rosterIds } from '../world/call-roster';
import { CallManager, type PeerInfo } from '../world/calls';
import { ChatLog } from '../world/chat-log';
import { WorldConnection, type ConnectionState, type EventMessage, type WelcomeMessage } from '../world/connection';
import { Controls } from '../world/controls';
import { exposeWorld, hideWorld } from '../world/debug';
import { emoteSentence, emoteSign, isEmote, kindName, objectName } from '../world/labels';
import { PoseSender } from '../world/pose-sender';
import { onWorldSettings, updateWorldSettings, worldSettings, type WorldSettings } from '../world/settings';
import { closedMessage, eventAnnouncement } from '../world/space-news';
import { Stage } from '../world/stage';
import '../world/view2d';
import '../world/group-pacer';
import { WorldState } from '../world/world-state';
import '../world/world.css';
import './care/consult-layout';
import { SpacePanels } from './space/space-panels';
import { renderConnection, renderNotices, renderStage3d } from './space/space-view';
import { templateName } from './spaces-page';

export type { CareverseWorldDebug } from '../world/debug';

/**
 * A space: the stage (3D scene or accessible 2D view; world/stage.ts), people, objects, chat,
 * the call and settings. The page owns the connection and the world state and wires them
 * together, including the CallManager (created after `welcome`, fed every `signal`, told
 * positions after each delta). The side panels' actions are space/space-panels.ts's.
 */
export class SpacePage extends LightElement {
  static override properties = {
    spaceId: { type: String },
    account: { attribute: false },
    link: { state: true },
    closedMessage: { state: true },
    notices: { state: true },
    walkingTo: { state: true },
    blocked: { state: true },
    version: { state: true },
    folded: { state: true },
  };

  declare spaceId: string;
  declare account: Account | null;
  declare link: ConnectionState;
  declare closedMessage: string;
  declare notices: string[];
  /** The name of whom or what one is walking to ('' when not walking). */
  declare walkingTo: string;
  /** People one has blocked: id → name. */
  declare blocked: Map<string, string>;
  /** Bumped when people or objects change, so that the panels re-render. */
  declare version: number;
  /** The site header folded away (the choice is kept in this browser). */
  declare folded: boolean;

  socket: WorldConnection | null = null;
  state = new WorldState();
  controls = new Controls();
  calls: CallManager | null = null;

  /** A missing space (or a malformed id) is "not found"; anything else says what failed. */
  private space = new LoadingController(this, () => getSpace(this.spaceId), {
    auto: false,
    describe: (error) =>
      error instanceof ApiError && (error.status === 404 || error.status === 422)
        ? t('world.space.notFound')
        : describeError(error),
  });
  readonly announcer = new Announcer(this);
  readonly chat = new ChatLog(this);
  readonly stage = new Stage(this, {
    state: () => this.state,
    controls: () => this.controls,
    welcomed: () => this.welcomed,
    announce: (message) => this.announce(message),
    moved: () => this.bumpSoon(),
  });
  private panels = new SpacePanels(this);
  private pose = new PoseSender({
    socket: () => this.socket,
    pose: () => this.controls.pose,
    xr: () => this.stage.scene?.xrPose() ?? null,
    sent: () => this.updateCalls(),
  });
  private stops: (() => void)[] = [];
  private stopFold: (() => void) | null = null;
  private renderTimer: number | null = null;
  private welcomed = false;
  /** Bumped on each start and teardown: a start that finishes late does nothing. */
  private startToken = 0;

  constructor() {
    super();
    this.spaceId = '';
    this.account = null;
    this.link = { kind: 'connecting' };
    this.closedMessage = '';
    this.notices = [];
    this.walkingTo = '';
    this.blocked = new Map();
    this.version = 0;
    this.folded = headerFolded();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stage.choose(location.search);
    this.controls.snapTurn = worldSettings().snapTurn;
    this.stops.push(onWorldSettings((s) => this.settingsChanged(s)));
    this.stopFold = onHeaderFold((folded) => (this.folded = folded));
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopFold?.();
    this.stopFold = null;
    this.teardown();
  }

  /** Another space in the same page element (a link from one space to another). */
  override willUpdate(changed: Map<string, unknown>): void {
    const previous = changed.get('spaceId');
    if (changed.has('spaceId') && previous && previous !== this.spaceId && this.isConnected) {
      this.teardown();
      this.state = new WorldState();
      this.controls = new Controls();
      this.controls.snapTurn = worldSettings().snapTurn;
      this.space.clear();
      this.closedMessage = '';
      this.notices = [];
      this.chat.clear();
      this.blocked = new Map();
      this.walkingTo = '';
      this.welcomed = false;
      this.stops.push(onWorldSettings((s) => this.settingsChanged(s)));
      void this.start();
    }
  }

  private teardown(): void {
    this.startToken += 1;
    this.space.cancel();
    for (const stop of this.stops) stop();
    this.stops = [];
    this.pose.stop();
    if (this.renderTimer !== null) window.clearTimeout(this.renderTimer);
    this.renderTimer = null;
    this.announcer.stop();
    this.calls?.leave();
    this.calls = null;
    this.stage.stop();
    this.controls.detach();
    hideWorld(this.socket);
    this.socket?.close();
    this.socket = null;
  }

  // ---- start-up --------------------------------------------------------------------------------

  private async start(): Promise<void> {
    const token = ++this.startToken;
    const found = await this.space.load();
    const space = this.space.value;
    if (!found || !space || token !== this.startToken || !this.isConnected) return;
    document.title = t('app.pageTitle', { page: space.name });
    this.state.selfName = this.account?.display_name ?? '';
    this.state.selfRole = this.account?.role ?? '';
    const socket = new WorldConnection(this.spaceId);
    this.socket = socket;
    this.wire(socket);
    const page = this;
    exposeWorld(socket, this.state, {
      get calls() {
        return page.calls;
      },
      get mode() {
        return page.stage.mode;
      },
    });
    socket.connect();
    this.stage.start();
  }

  private wire(socket: WorldConnection): void {
    const state = this.state;
    this.stops.push(
      socket.on('state', (s) => this.connectionChanged(s)),
      socket.on('welcome', (m) => this.onWelcome(m)),
      socket.on('delta', (m) => {
        state.applyDelta(m);
        this.updateCalls();
      }),
      socket.on('chat', (m) => this.chat.receive(m, state, this.blocked)),
      socket.on('emote', (m) => {
        if (!isEmote(m.name) || this.blocked.has(m.id)) return;
        const person = state.people.get(m.id);
        this.stage.scene?.showEmote(m.id, emoteSign(m.name));
        const who = person?.self ? t('world.chat.you') : (person?.name ?? t('world.chat.someone'));
        this.chat.add({ kind: 'emote', name: '', text: emoteSentence(m.name, who), self: false });
      }),
      socket.on('signal', (m) => {
        if (m.kind === 'call') state.setInCall([m.peer], m.data === 'on');
        else if (m.kind === 'calls') state.setInCall(rosterIds(m.data), true, true);
        this.calls?.handleSignal(m.peer, m.kind, m.data);
      }),
      socket.on('event', (m) => this.onEvent(m)),
      socket.on('called', (m) => announceCall({ space: m.space, appointment: m.appointment })),
      socket.on('error', (m) => this.onServerError(m.code)),
      socket.on('obj', (m) => {
        const before = state.objects.get(m.id);
        state.applyObject(m);
        if (m.op === 'add' && m.o) {
          this.announce(t('world.announce.objectAdded', { kind: kindName(m.o.kind), name: objectName(m.o) }));
        } else if (m.op === 'del' && before) {
          this.announce(t('world.announce.objectRemoved', { name: objectName(before) }));
        }
      }),
      socket.on('point', (m) => {
        const target = m.obj ? state.objects.get(m.obj)?.p : m.p;
        if (target) this.stage.scene?.showPoint(target);
      }),
      state.on('people', () => this.bump()),
      state.on('objects', () => this.bump()),
      state.on('moved', () => this.bumpSoon()),
      state.on('arrive', ({ person, initial }) => {
        if (!initial) this.announce(t('world.announce.arrived', { name: person.name }));
      }),
      state.on('depart', ({ person }) => {
        this.calls?.peerLeft(person.id);
        this.announce(t('world.announce.left', { name: person.name }));
      }),
    );
    this.controls.onArrive = (arrived) => {
      if (arrived && this.walkingTo) {
        this.announce(t('world.announce.arrivedNear', { name: this.walkingTo }));
      }
      this.walkingTo = '';
    };
  }

  private onWelcome(welcome: WelcomeMessage): void {
    const first = !this.welcomed;
    this.welcomed = true;
    this.state.applyWelcome(welcome);
    this.controls.bound = HALF_EXTENT[welcome.template] ?? 30;
    const me = this.state.me;
    if (me) this.controls.place(me.x, me.y, me.z, me.yaw);
    this.walkingTo = '';
    this.pose.placed(this.controls.pose);
    // Blocks are kept per connection by the server: say them again after a reconnect.
    for (const id of this.blocked.keys()) this.socket?.block(id, true);
    this.pose.start(welcome.tick_hz || 10);
    if (!this.calls && !welcome.spectator && this.socket) {
      this.calls = new CallManager({ selfId: welcome.you, send: this.socket.signal });
      this.calls.addEventListener('speaking', (event) => {
        const { id, speaking } = (event as CustomEvent<{ id: string; speaking: boolean }>).detail;
        this.state.setSpeaking(id, speaking);
      });
      this.calls.setMasterVolume(worldSettings().volume);
    }
    const notices: string[] = [];
    if (welcome.spectator) notices.push(t('world.notice.spectator'));
    const copy = /#(\d+)$/.exec(welcome.instance)?.[1];
    if (copy && copy !== '1') notices.push(t('world.notice.overflow', { number: copy }));
    this.notices = notices;
    if (first) {
      const others = this.state.people.size - 1;
      this.announce(t('world.announce.entered', { space: this.space.value?.name ?? '', count: others }));
      void this.stage.showScene();
    } else {
      this.announce(t('world.announce.reconnected'));
    }
    this.updateCalls();
    this.bump();
  }

  private settingsChanged(settings: WorldSettings): void {
    this.controls.snapTurn = settings.snapTurn;
    const scene = this.stage.scene;
    if (scene) scene.reducedMotion = settings.reducedMotion;
    this.calls?.setMasterVolume(settings.volume);
    if (settings.mode && settings.mode !== this.stage.mode) void this.stage.switchTo(settings.mode);
  }

  /** Tell the call where everyone is; a facilitator's mute holds in it, blocked people are never called. */
  updateCalls(): void {
    const calls = this.calls;
    const me = this.state.me;
    if (!calls || !me) return;
    const peers: PeerInfo[] = [];
    for (const person of this.state.people.values()) {
      calls.setModerated(person.id, person.muted);
      if (person.self || this.blocked.has(person.id)) continue;
      peers.push({ id: person.id, name: person.name, x: person.x, y: person.y, z: person.z });
    }
    calls.update({ x: me.x, y: me.y, z: me.z, yaw: me.yaw }, peers);
  }

  // ---- messages ----------------------------------------------------------------------------------

  private onEvent(event: EventMessage): void {
    this.state.applyEvent(event);
    const message = eventAnnouncement(event, this.state);
    if (message) this.announce(message);
    if (event.kind === 'muted' || event.kind === 'unmuted') this.updateCalls();
  }

  private onServerError(code: string): void {
    if (this.chat.refused(code)) return;
    if (code === 'too_fast') this.pose.refused();
    else if (code === 'forbidden') this.announce(t('error.notAllowed'));
  }

  private connectionChanged(state: ConnectionState): void {
    this.link = state;
    if (state.kind !== 'closed') return;
    this.calls?.leave();
    this.controls.stop();
    this.closedMessage = closedMessage(state.code, state.reason);
    this.announce(this.closedMessage);
  }

  /** Say something to screen readers (a few at a time; a crowd is summed up). */
  announce(message: string): void {
    this.announcer.announce(message);
  }

  bump(): void {
    this.version += 1;
  }

  /** Positions change many times a second: lists are refreshed at most twice a second. */
  private bumpSoon(): void {
    if (this.renderTimer !== null) return;
    this.renderTimer = window.setTimeout(() => {
      this.renderTimer = null;
      this.bump();
    }, 500);
  }

  // ---- rendering ---------------------------------------------------------------------------------

  private renderStage(space: Space) {
    if (this.stage.mode === '2d') {
      return html`<cv-world-2d
        .state=${this.state}
        .spaceName=${space.name}
        .walkingTo=${this.walkingTo}
        .version=${this.version}
        .people=${this.panels.renderPeople(space)}
        .objects=${this.panels.renderObjects(space)}
        @stop-walking=${() => this.controls.stop()}
      ></cv-world-2d>`;
    }
    return renderStage3d({
      spaceName: space.name,
      loading: this.stage.loading,
      walkingTo: this.walkingTo,
      stop: () => this.controls.stop(),
    });
  }

  /** Guided breathing, in spaces whose template has the shared pacer (world/group-pacer.ts). */
  private renderPacer(space: Space) {
    if (!PACER_TEMPLATES.includes(space.template)) return nothing;
    return html`<cv-garden-pacer .socket=${this.socket} .stage=${this.stage} ?facilitator=${space.facilitator}
      ?patient=${this.account?.role === 'patient'} .announce=${(m: string) => this.announce(m)}></cv-garden-pacer>`;
  }

  /** The simulation lab, in training-lab spaces (pages/training/lab-page.ts, embedded). */
  private renderLab(space: Space) {
    if (space.template !== 'training-lab') return nothing;
    return html`<cv-lab-page embedded space-id=${space.id} .socket=${this.socket} .stage=${this.stage}></cv-lab-page>`;
  }

  override render() {
    const space = this.space.value;
    if (!space) {
      const error = this.space.error;
      return html`<div class="panel">
        <h1>${t('world.space.title')}</h1>
        ${error
          ? html`<div class="form-error" role="alert">${error}</div>
              <p><a class="button button--secondary" href="/spaces">${t('world.space.back')}</a></p>`
          : html`<p class="loading" role="status">${t('app.loading')}</p>`}
      </div>`;
    }
    const mode = this.stage.mode;
    return html`
      <div class="world-head">
        <div>
          <p class="eyebrow">${templateName(space.template)}</p>
          <h1>${space.name}</h1>
          <p class="world-connection">${renderConnection(this.link, () => this.socket?.retryNow())}</p>
        </div>
        <div class="actions">
          <button
            class="button button--quiet header-fold"
            type="button"
            aria-controls="site-header"
            aria-expanded=${this.folded ? 'false' : 'true'}
            @click=${() => setHeaderFolded(!this.folded)}
          >
            <span class="header-fold__icon" aria-hidden="true"></span>${t('world.header.toggle')}
          </button>
          <button
            class="button button--secondary"
            type="button"
            ?disabled=${mode === '2d' && !this.stage.webgl}
            @click=${() => updateWorldSettings({ mode: mode === '3d' ? '2d' : '3d' })}
          >
            ${mode === '3d' ? t('world.mode.use2d') : t('world.mode.use3d')}
          </button>
          <a class="button button--quiet" href="/spaces">${t('world.space.leave')}</a>
        </div>
      </div>
      ${renderNotices({
        closed: this.closedMessage,
        sceneError: this.stage.error,
        notices: this.notices,
        locked: this.state.locked,
      })}
      ${space.template === 'consult-room' // care: the consult room is call first (pages/care)
        ? html`<cv-consult-call-layout space-id=${space.id} .calls=${this.calls} ended=${this.closedMessage}
            .names=${new Map([...this.state.people.values()].map((p) => [p.id, p.name]))} mode=${mode}
            .stage=${this.renderStage(space)} .panels=${this.panels.render(space)}></cv-consult-call-layout>`
        : html`<div class="world-layout world-layout--${mode}">
            <div class="world-main">${this.renderStage(space)}</div>
            <div class="world-side">${this.renderPacer(space)}${this.renderLab(space)}${this.panels.render(space)}</div>
          </div>`}
      ${this.announcer.render()}
    `;
  }
}

customElements.define('cv-space', SpacePage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-space': SpacePage;
  }
}
