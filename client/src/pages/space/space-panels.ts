/**
 * The space page's side panels and what their buttons do: the people panel (go near, write
 * to, block, and a facilitator's mute, remove, lock and end), the objects panel (go near,
 * place a poster, note or model, remove one), chat, the call, the world settings and, in a
 * consult room, the consultation.
 */
import { html, nothing } from 'lit';
import type { Space } from '../../api/world';
import { t } from '../../i18n';
import '../../world/call-panel';
import type { CallManager } from '../../world/calls';
import type { ChatLog } from '../../world/chat-log';
import '../../world/chat-panel';
import type { ChatPanel, Recipient, SendChatDetail } from '../../world/chat-panel';
import type { ConnectionState, ModAction, WorldConnection } from '../../world/connection';
import type { Controls } from '../../world/controls';
import { objectName } from '../../world/labels';
import '../../world/objects-panel';
import type { NewObjectDetail } from '../../world/objects-panel';
import '../../world/people-panel';
import { round } from '../../world/pose-sender';
import type { Stage } from '../../world/stage';
import '../../world/settings-panel';
import type { WorldState } from '../../world/world-state';
import '../care/consult-panel'; // care: the consultation beside a consult room
import '../../world/circle-panel'; // support groups: talking order, check-in, support
import '../../world/breakout-bar'; // support groups: a breakout pair's own space
import '../events/event-panel'; // events: slides, the stage and the questions

/** What the panels need of the space page. */
export interface SpaceHost extends HTMLElement {
  readonly state: WorldState;
  readonly controls: Controls;
  readonly socket: WorldConnection | null;
  readonly calls: CallManager | null;
  readonly chat: ChatLog;
  readonly stage: Stage;
  readonly link: ConnectionState;
  /** People one has blocked: id → name. */
  blocked: Map<string, string>;
  /** Whom or what one is walking to ('' when not walking). */
  walkingTo: string;
  readonly version: number;
  announce(message: string): void;
  /** A block hangs up the call with that person at once. */
  updateCalls(): void;
}

/** Templates whose rooms are small enough that everyone hears everyone equally by default. */
const MEETING_TEMPLATES = ['consult-room', 'support-circle'];
/** Templates an event may be held in (its panel shows when the space is an event's). */
const EVENT_TEMPLATES = ['auditorium', 'clinic-lobby'];
const GO_NEAR_STOP = 1.5; // metres short of the person or object
const WALK_2D_SPEED = 8; // m/s: quick, and well within the server's 12 m/s limit
const WALK_3D_SPEED = 5;
/** Where a new object goes: this far in front of oneself, facing back. */
const PLACE_AHEAD = 2;

export class SpacePanels {
  constructor(private readonly host: SpaceHost) {}

  /** The side of the page: in 3D the people and objects panels (in 2D they are in the view). */
  render(space: Space) {
    const host = this.host;
    const people = [...host.state.people.values()];
    const recipients: Recipient[] = people
      .filter((p) => !p.self && !host.blocked.has(p.id))
      .map((p) => ({ id: p.id, name: p.name }));
    const names = new Map(people.map((p) => [p.id, p.name]));
    const mode = host.stage.mode;
    return html`
      ${mode === '3d' ? this.renderPeople(space) : nothing}
      ${mode === '3d' ? this.renderObjects(space) : nothing}
      <cv-chat-panel
        .entries=${host.chat.entries}
        .recipients=${recipients}
        .notice=${host.chat.notice}
        ?disabled=${host.link.kind === 'closed'}
        @send-chat=${(e: CustomEvent<SendChatDetail>) => this.sendChat(e.detail)}
        @emote=${(e: CustomEvent<{ name: string }>) => host.socket?.emote(e.detail.name)}
      ></cv-chat-panel>
      ${host.state.spectator ? html`<p class="world-notice">${t('world.call.spectator')}</p>` : nothing}
      <cv-call-panel
        .calls=${host.calls}
        .names=${names}
        room=${space.id}
        ?meeting-default=${MEETING_TEMPLATES.includes(space.template)}
      ></cv-call-panel>
      <cv-world-settings .mode=${mode} .webgl=${host.stage.webgl}></cv-world-settings>
      ${space.template === 'support-circle'
        ? html`<cv-circle-panel
            .connection=${host.socket}
            .facilitator=${space.facilitator ?? false}
            .names=${names}
            .me=${host.state.me?.id ?? ''}
          ></cv-circle-panel>`
        : nothing}
      <cv-breakout-bar .connection=${host.socket} space-id=${space.id}></cv-breakout-bar>
      ${EVENT_TEMPLATES.includes(space.template)
        ? html`<cv-event-panel
            .spaceId=${space.id}
            .connection=${host.socket}
            .names=${names}
            .me=${host.state.me?.id ?? ''}
          ></cv-event-panel>`
        : nothing}
      ${space.template === 'consult-room'
        ? html`<cv-consult-panel space-id=${space.id} .connection=${host.socket}></cv-consult-panel>`
        : nothing}
    `;
  }

  renderPeople(space: Space) {
    const host = this.host;
    const state = host.state;
    return html`<cv-people-panel
      .people=${state.others().filter((p) => !host.blocked.has(p.id))}
      .me=${state.me ?? null}
      .blocked=${host.blocked}
      .facilitator=${space.facilitator ?? false}
      .locked=${state.locked}
      .spectator=${state.spectator}
      .version=${host.version}
      @go-near=${(e: CustomEvent<{ id: string }>) => this.goNearPerson(e.detail.id)}
      @write-to=${(e: CustomEvent<{ id: string }>) => this.writeTo(e.detail.id)}
      @block=${(e: CustomEvent<{ id: string; name: string; on: boolean }>) => this.block(e.detail)}
      @moderate=${(e: CustomEvent<{ action: ModAction; target?: string }>) =>
        host.socket?.moderate(e.detail.action, e.detail.target)}
    ></cv-people-panel>`;
  }

  renderObjects(space: Space) {
    return html`<cv-world-objects
      .state=${this.host.state}
      .facilitator=${space.facilitator ?? false}
      .version=${this.host.version}
      @go-near-object=${(e: CustomEvent<{ id: string }>) => this.goNearObject(e.detail.id)}
      @add-object=${(e: CustomEvent<NewObjectDetail>) => this.addObject(e.detail)}
      @remove-object=${(e: CustomEvent<{ id: string; name: string }>) => this.removeObject(e.detail)}
    ></cv-world-objects>`;
  }

  private goNear(x: number, z: number, name: string): void {
    const { state, controls } = this.host;
    if (state.spectator) return;
    this.host.walkingTo = name;
    controls.walkTo(x, z, {
      speed: this.host.stage.mode === '2d' ? WALK_2D_SPEED : WALK_3D_SPEED,
      stopAt: GO_NEAR_STOP,
    });
    if (state.distanceTo(x, z) <= GO_NEAR_STOP + 0.05) controls.stop(true);
  }

  private goNearPerson(id: string): void {
    const person = this.host.state.people.get(id);
    if (person) this.goNear(person.x, person.z, person.name);
  }

  private goNearObject(id: string): void {
    const object = this.host.state.objects.get(id);
    if (object) this.goNear(object.p[0], object.p[2], objectName(object));
  }

  private sendChat({ text, scope, to }: SendChatDetail): void {
    const { socket, chat } = this.host;
    if (!socket?.chat(text, scope, to)) {
      chat.notice = t('world.chat.offline');
      return;
    }
    if (scope === 'private' && to) chat.sentPrivately(to);
  }

  private writeTo(id: string): void {
    void this.host.querySelector<ChatPanel>('cv-chat-panel')?.writeTo(id);
  }

  private block({ id, name, on }: { id: string; name: string; on: boolean }): void {
    const host = this.host;
    host.socket?.block(id, on);
    const blocked = new Map(host.blocked);
    if (on) {
      blocked.set(id, name);
      host.announce(t('world.announce.blocked', { name }));
    } else {
      blocked.delete(id);
      host.announce(t('world.announce.unblocked', { name }));
    }
    host.blocked = blocked;
    host.updateCalls(); // a call with someone just blocked hangs up
  }

  /** Place a poster, note or model in front of oneself, facing back. */
  private addObject(detail: NewObjectDetail): void {
    const { controls, socket } = this.host;
    const pose = controls.pose;
    const bound = controls.bound - 0.5;
    const clamp = (v: number) => Math.max(-bound, Math.min(bound, v));
    socket?.addObject({
      ...detail,
      p: [
        round(clamp(pose.x - Math.sin(pose.yaw) * PLACE_AHEAD)),
        0,
        round(clamp(pose.z - Math.cos(pose.yaw) * PLACE_AHEAD)),
      ],
      yaw: round(pose.yaw),
    });
  }

  /** Confirmed in the objects panel already. */
  private removeObject({ id }: { id: string; name: string }): void {
    this.host.socket?.deleteObject(id);
  }
}
