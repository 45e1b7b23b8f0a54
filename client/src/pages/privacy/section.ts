import { LightElement } from '../../components/light-element';
import { Feedback } from '../../controllers/feedback';

/**
 * A section of the privacy page that loads its own data and reports what its actions did:
 * a status region for outcomes and an alert region for failures, one pair per section so
 * that each message appears beside what it is about. Its actions (and its forms, which share
 * `feedback`) run one at a time.
 */
export class PrivacySection extends LightElement {
  protected readonly feedback = new Feedback(this);

  /** The action under way ('' for none): a button's name, or an item's id. */
  protected get busy(): string {
    return this.feedback.busy;
  }

  /** Announce an outcome (cleared first, so that the same message said twice is heard twice). */
  protected say(message: string): Promise<void> {
    return this.feedback.say(message);
  }

  /** Announce a failure in words a person can act on. */
  protected fail(error: unknown): Promise<void> {
    return this.feedback.fail(error);
  }

  protected failWith(message: string): Promise<void> {
    return this.feedback.failWith(message);
  }

  protected clearMessages(): void {
    this.feedback.clear();
  }

  /**
   * Run one action at a time (`name` is the one in progress, in `busy`), then announce the
   * notice `work` returns and bring focus to `focusId`; or announce why it failed.
   */
  protected async act(name: string, focusId: string, work: () => Promise<string>): Promise<void> {
    let notice = '';
    const done = await this.feedback.run(name, async () => {
      notice = await work();
    });
    if (!done) return;
    await this.say(notice);
    await this.focusById(focusId);
  }

  protected renderMessages() {
    return this.feedback.render();
  }
}
