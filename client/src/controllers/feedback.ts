/**
 * What one part of a page says about its actions: an outcome in a status region, a failure in an
 * alert region, and which action is under way (so that a second press does nothing). A form
 * (controllers/form.ts) has one of its own, or shares its section's.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { describeError } from '../components/errors';

export class Feedback implements ReactiveController {
  private _notice = '';
  private _error = '';
  private _busy = '';

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    // Nothing to start: messages live as long as the host.
  }

  /** The outcome shown in the status region ('' for none). */
  get notice(): string {
    return this._notice;
  }

  set notice(message: string) {
    this._notice = message;
    this.host.requestUpdate();
  }

  /** The failure shown in the alert region ('' for none). */
  get error(): string {
    return this._error;
  }

  set error(message: string) {
    this._error = message;
    this.host.requestUpdate();
  }

  /** The name of the action under way, or '' when none is. */
  get busy(): string {
    return this._busy;
  }

  set busy(name: string) {
    this._busy = name;
    this.host.requestUpdate();
  }

  /** Announce an outcome (cleared first, so that the same message said twice is heard twice). */
  async say(message: string): Promise<void> {
    this.clear();
    await this.host.updateComplete;
    this.notice = message;
    await this.host.updateComplete;
  }

  /** Announce a failure, in the same way. */
  async failWith(message: string): Promise<void> {
    this.clear();
    await this.host.updateComplete;
    this.error = message;
    await this.host.updateComplete;
  }

  /** Announce why a request failed, in words a person can act on. */
  fail(error: unknown): Promise<void> {
    return this.failWith(describeError(error));
  }

  clear(): void {
    this.notice = '';
    this.error = '';
  }

  /**
   * Run one action at a time: `work` runs as `name` (in `busy`) unless another action is under
   * way. A failure is announced, unless `failed` handles it (and answers true). Answers whether
   * `work` ran to the end; `busy` is clear again by then.
   */
  async run(
    name: string,
    work: () => Promise<void>,
    failed?: (error: unknown) => boolean | Promise<boolean>,
  ): Promise<boolean> {
    if (this.busy) return false;
    this.busy = name;
    this.clear();
    try {
      await work();
    } catch (error) {
      this.busy = '';
      if (!(await failed?.(error))) await this.fail(error);
      return false;
    }
    this.busy = '';
    return true;
  }

  /** The two regions, status then alert; `errorId` lets a form point at the alert. */
  render(errorId?: string) {
    return html`
      <div class="notice" role="status">${this.notice || nothing}</div>
      <div class="form-error" role="alert" id=${ifDefined(errorId)}>${this.error || nothing}</div>
    `;
  }
}
