/**
 * Follows the `event` messages of whichever world connection a panel is given (the page hands
 * a new one after a reconnect or a move): `follow` in `updated()`, `end` when disconnected.
 */
import type { EventMessage, WorldConnection } from './connection';

export class EventFollower {
  private stop: (() => void) | null = null;
  private subscribed: WorldConnection | null = null;

  constructor(private readonly handler: (m: EventMessage) => void) {}

  follow(connection: WorldConnection | null): void {
    if (connection && connection !== this.subscribed) {
      this.stop?.();
      this.subscribed = connection;
      this.stop = connection.on('event', this.handler);
    }
  }

  end(): void {
    this.stop?.();
    this.stop = null;
    this.subscribed = null;
  }
}
