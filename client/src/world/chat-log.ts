/**
 * The chat of a space as the chat panel shows it: messages and emotes (the last 200), the
 * names of private messages' recipients, and the panel's notice (muted, offline, no one there).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { t } from '../i18n';
import type { ChatEntry } from './chat-panel';
import type { ChatMessage } from './connection';
import type { WorldState } from './world-state';

const MAX_CHAT = 200;

export class ChatLog implements ReactiveController {
  private _entries: ChatEntry[] = [];
  private _notice = '';
  private key = 0;
  /** Recipients of the private messages sent and not yet echoed back, oldest first. */
  private privateTo: string[] = [];

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    // Nothing to start: the log lives as long as the page's space.
  }

  get entries(): ChatEntry[] {
    return this._entries;
  }

  get notice(): string {
    return this._notice;
  }

  set notice(message: string) {
    this._notice = message;
    this.host.requestUpdate();
  }

  /** A new space: an empty log. */
  clear(): void {
    this._entries = [];
    this.privateTo = [];
    this.host.requestUpdate();
  }

  add(entry: Omit<ChatEntry, 'key' | 'at' | 'scope' | 'other'> & Partial<ChatEntry>): void {
    const full: ChatEntry = {
      key: ++this.key,
      at: Date.now() / 1000,
      scope: 'space',
      other: '',
      ...entry,
    };
    const entries = this._entries.length >= MAX_CHAT ? this._entries.slice(1) : this._entries.slice();
    entries.push(full);
    this._entries = entries;
    this.host.requestUpdate();
  }

  /** A private message went out to `to`: its echo will be shown as "to them". */
  sentPrivately(to: string): void {
    this.privateTo.push(to);
  }

  /** A message from the space (from someone blocked: not shown). */
  receive(message: ChatMessage, state: WorldState, blocked: ReadonlyMap<string, string>): void {
    if (blocked.has(message.id)) return;
    const self = message.id === state.you;
    let other = '';
    if (message.scope === 'private' && self) {
      const to = this.privateTo.shift();
      other = (to && (state.people.get(to)?.name ?? blocked.get(to))) || '';
    }
    this.add({
      kind: 'chat',
      name: message.name,
      text: message.text,
      scope: message.scope,
      at: message.at,
      other,
      self,
    });
    if (self) this.notice = '';
  }

  /** The server's chat refusals, in words. */
  refused(code: string): boolean {
    if (code === 'muted') this.notice = t('world.chat.mutedNotice');
    else if (code === 'no_recipient') this.notice = t('world.chat.noRecipient');
    else return false;
    return true;
  }
}
