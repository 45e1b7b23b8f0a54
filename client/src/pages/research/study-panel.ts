import type { Study } from '../../api/research';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';

/** Tells the study's other panels that an export or a cohort changed. */
export const CHANGED = 'research-changed';

/** A panel of one study's page: loads on connection and again when another panel changes. */
export abstract class StudyPanel extends LightElement {
  static override properties = { study: { attribute: false }, error: { state: true } };

  declare study: Study | null;
  declare error: string;

  constructor() {
    super();
    this.study = null;
    this.error = '';
  }

  private reload = () => void this.load();

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener(CHANGED, this.reload);
    void this.load();
  }

  override disconnectedCallback(): void {
    window.removeEventListener(CHANGED, this.reload);
    super.disconnectedCallback();
  }

  protected abstract load(): Promise<void>;

  /** Do something with the study (its id given); show what went wrong. */
  protected async attempt(action: (studyId: string) => Promise<unknown>): Promise<boolean> {
    if (!this.study) return false;
    try {
      await action(this.study.id);
      return true;
    } catch (error) {
      this.error = describeError(error);
      return false;
    }
  }

  /** Change something of the study, then load again. */
  protected async act(action: (studyId: string) => Promise<unknown>): Promise<void> {
    if (await this.attempt(action)) await this.load();
  }
}
