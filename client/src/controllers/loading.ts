/**
 * Data a component fetches for itself, written once: "Loading…" while it comes, why it failed
 * with a way to try again, and the answer once it is there. Answers to a load that a newer load
 * (or `cancel`) overtook are dropped, so a slow answer for an earlier patient never shows.
 *
 *   private devices = new LoadingController(this, () => devices(this.patientId), { auto: false });
 *   ...
 *   render() { return this.devices.render((list) => html`…`); }
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { describeError } from '../components/errors';
import { renderLoadFailure, renderLoading } from '../components/load-state';

export interface LoadingOptions {
  /** Load when the host is connected (default true); otherwise the host calls `load()`. */
  auto?: boolean;
  /** Keep what was loaded on screen while loading again (default: back to "Loading…"). */
  keep?: boolean;
  /** A second `load()` while one is under way shares it (for pages that poll and refresh). */
  shared?: boolean;
  /** The message for a failure (default: `describeError`). */
  describe?: (error: unknown) => string;
}

export class LoadingController<T> implements ReactiveController {
  private _value: T | null = null;
  private _error = '';
  private generation = 0;
  private pending: Promise<boolean> | null = null;
  private readonly options: LoadingOptions;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly fetch: () => Promise<T>,
    options: LoadingOptions = {},
  ) {
    this.options = options;
    host.addController(this);
  }

  hostConnected(): void {
    if (this.options.auto ?? true) void this.load();
  }

  /** What was loaded (the page may change it after its own actions), or null before. */
  get value(): T | null {
    return this._value;
  }

  set value(value: T | null) {
    this._value = value;
    this.host.requestUpdate();
  }

  /** Why the last load failed, or '' if it did not. */
  get error(): string {
    return this._error;
  }

  /** Whether a load is under way. */
  get loading(): boolean {
    return this.pending !== null;
  }

  /**
   * Load (again). Answers whether this load's answer was taken; false when it failed or a newer
   * load overtook it. An arrow, so that it can be a click handler as it is.
   */
  load = (): Promise<boolean> => {
    if (this.pending && this.options.shared) return this.pending;
    const generation = ++this.generation;
    const run = this.run(generation);
    this.pending = run;
    void run.finally(() => {
      if (this.pending === run) {
        this.pending = null;
        this.host.requestUpdate();
      }
    });
    return run;
  };

  private async run(generation: number): Promise<boolean> {
    this._error = '';
    if (!this.options.keep) this._value = null;
    this.host.requestUpdate();
    try {
      const value = await this.fetch();
      if (generation !== this.generation) return false;
      this.value = value;
      return true;
    } catch (error) {
      if (generation !== this.generation) return false;
      this._error = (this.options.describe ?? describeError)(error);
      this.host.requestUpdate();
      return false;
    }
  }

  /** Drop the answers of loads under way. */
  cancel(): void {
    this.generation += 1;
    this.pending = null;
  }

  /** Forget what was loaded and why it failed (and drop loads under way). */
  clear(): void {
    this.cancel();
    this._value = null;
    this._error = '';
    this.host.requestUpdate();
  }

  /**
   * "Loading…", the failure with "Try again" (which calls `retry`, by default `load`), or
   * `ready` with what was loaded.
   */
  render<R>(ready: (value: T) => R, retry: () => unknown = this.load) {
    const value = this._value;
    if (value !== null) return ready(value);
    return this._error ? renderLoadFailure(this._error, retry) : renderLoading();
  }
}
