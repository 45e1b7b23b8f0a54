/**
 * Who is in the call, as the hub says: the list a newcomer is handed (`kind: "calls"`) and each
 * "call on/off" announcement after it. Where the hub's idea of yourself differs from the truth
 * (after a reconnect), it is corrected.
 */

/** The ids in a `calls` roster as the space page reads it (anything but a list counts as empty). */
export function rosterIds(data: string): string[] {
  try {
    const ids: unknown = JSON.parse(data);
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

/** What the roster needs from the call around it. */
export interface RosterHost {
  readonly selfId: string;
  joined(): boolean;
  /** Tell the hub whether you are in the call. */
  announce(on: boolean): void;
  /** Close any connection with someone (their session ended, or a new one began). */
  hangUp(id: string): void;
  /** Someone joined afresh: their earlier refusals no longer count. */
  forgive(id: string): void;
  /** The roster changed: choose whom to connect to again. */
  changed(): void;
}

export class CallRoster {
  /** People in the call (not yourself). */
  private readonly ids = new Set<string>();

  constructor(private readonly host: RosterHost) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Someone is in the call (their offer says so before the hub does). */
  add(id: string): void {
    this.ids.add(id);
  }

  values(): IterableIterator<string> {
    return this.ids.values();
  }

  /** The hub's whole list: a JSON array of avatar ids, yourself included if you are in. */
  receiveList(data: string): void {
    let ids: unknown;
    try {
      ids = JSON.parse(data);
    } catch {
      return;
    }
    if (!Array.isArray(ids)) return;
    const host = this.host;
    const roster = new Set(ids.filter((id): id is string => typeof id === 'string'));
    if (roster.has(host.selfId) !== host.joined()) host.announce(host.joined());
    roster.delete(host.selfId);
    for (const id of [...this.ids]) {
      if (!roster.has(id)) this.receiveAnnouncement(id, false);
    }
    for (const id of roster) this.ids.add(id);
    host.changed();
  }

  /** Someone's "call on" or "call off". */
  receiveAnnouncement(from: string, on: boolean): void {
    const host = this.host;
    if (from === host.selfId) {
      if (on !== host.joined()) host.announce(host.joined());
      return;
    }
    if (on) {
      // A fresh "on" is a fresh session on their side: any connection we had is stale.
      host.hangUp(from);
      this.ids.add(from);
      host.forgive(from);
    } else {
      this.ids.delete(from);
      host.hangUp(from);
    }
    host.changed();
  }
}
