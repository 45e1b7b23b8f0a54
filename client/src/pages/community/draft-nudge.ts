import { nudge, type Concern } from '../../api/moderation';

/**
 * The composer's pre-post nudge: when the writer pauses (or leaves the text box), the draft is
 * screened (`POST /api/community/moderation/nudge`, nothing stored) and, with crisis language,
 * `show` gets the message of concern to display gently. It never blocks posting: a failed
 * screen shows nothing, and the post itself goes through the full pipeline when sent.
 */
export class DraftNudge {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private screened = '';

  constructor(
    private readonly show: (concern: Concern | null) => void,
    private readonly pauseMs = 1200,
  ) {}

  /** On every input: screen once the writer has paused. */
  readonly typed = (event: Event): void => {
    const text = (event.target as HTMLTextAreaElement).value;
    this.cancel();
    this.timer = setTimeout(() => void this.check(text), this.pauseMs);
  };

  /** On leaving the text box (e.g. to press Post): screen now. */
  readonly left = (event: Event): void => {
    this.cancel();
    void this.check((event.target as HTMLTextAreaElement).value);
  };

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** After sending: forget the draft and hide the nudge (the POST answer has its own concern). */
  reset(): void {
    this.cancel();
    this.screened = '';
    this.show(null);
  }

  private async check(raw: string): Promise<void> {
    const text = raw.trim();
    if (text === this.screened) return;
    this.screened = text;
    if (text.length < 3) {
      this.show(null);
      return;
    }
    try {
      const answer = await nudge(text);
      if (text === this.screened) this.show(answer.crisis ? (answer.concern as Concern | null) : null);
    } catch {
      // The nudge is a courtesy: without it the writer can still post (and is still screened).
    }
  }
}
