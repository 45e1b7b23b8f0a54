import { html, nothing, type PropertyDeclarations } from 'lit';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';

/**
 * A section of the privacy page that loads its own data and reports what its actions did:
 * a status region for outcomes and an alert region for failures, one pair per section so
 * that each message appears beside what it is about.
 */
export class PrivacySection extends LightElement {
  static override properties: PropertyDeclarations = {
    notice: { state: true },
    error: { state: true },
  };

  declare notice: string;
  declare error: string;

  constructor() {
    super();
    this.notice = '';
    this.error = '';
  }

  /** Announce an outcome (cleared first, so that the same message said twice is heard twice). */
  protected async say(message: string): Promise<void> {
    this.error = '';
    this.notice = '';
    await this.updateComplete;
    this.notice = message;
    await this.updateComplete;
  }

  /** Announce a failure in words a person can act on. */
  protected async fail(error: unknown): Promise<void> {
    await this.failWith(describeError(error));
  }

  protected async failWith(message: string): Promise<void> {
    this.notice = '';
    this.error = '';
    await this.updateComplete;
    this.error = message;
    await this.updateComplete;
  }

  protected clearMessages(): void {
    this.notice = '';
    this.error = '';
  }

  /**
   * Run one action at a time (`name` is the one in progress, in `busy`), then announce the
   * notice `work` returns and bring focus to `focusId`; or announce why it failed.
   */
  protected async act(
    this: PrivacySection & { busy: string },
    name: string,
    focusId: string,
    work: () => Promise<string>,
  ): Promise<void> {
    if (this.busy) return;
    this.busy = name;
    this.clearMessages();
    try {
      const notice = await work();
      this.busy = '';
      await this.say(notice);
      await this.focusById(focusId);
    } catch (error) {
      this.busy = '';
      await this.fail(error);
    }
  }

  protected renderMessages() {
    return html`
      <div class="notice" role="status">${this.notice || nothing}</div>
      <div class="form-error" role="alert">${this.error || nothing}</div>
    `;
  }
}
