/**
 * What happens in a space, said to screen readers through one polite live region: messages
 * that come within a moment are read together, and a crowd arriving at once is summed up
 * rather than read out name by name.
 */
import { html, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { t } from '../i18n';

/** Messages within this window are said together. */
const GATHER_MS = 400;
/** More than this many at once: the first few, then "and N more". */
const MAX_SAID = 4;

export class Announcer implements ReactiveController {
  private queue: string[] = [];
  private timer: number | null = null;
  private said = '';

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** Say `message` (with whatever else comes in the next moment). */
  announce(message: string): void {
    this.queue.push(message);
    if (this.timer !== null) return;
    this.timer = window.setTimeout(() => {
      this.timer = null;
      const queue = this.queue;
      this.queue = [];
      this.said =
        queue.length > MAX_SAID
          ? `${queue.slice(0, MAX_SAID - 1).join(' ')} ${t('world.announce.more', { count: queue.length - (MAX_SAID - 1) })}`
          : queue.join(' ');
      this.host.requestUpdate();
    }, GATHER_MS);
  }

  /** Drop what was about to be said (leaving the space). */
  stop(): void {
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }

  /** The live region. */
  render() {
    return html`<div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this.said}</div>`;
  }
}
