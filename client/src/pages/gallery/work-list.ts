/** What the gallery's lists share: the works, loading them, an error and a status line. */
import { html, nothing } from 'lit';
import type { Work } from '../../api/gallery';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';

export abstract class WorkList extends LightElement {
  static override properties = {
    works: { state: true },
    loaded: { state: true },
    error: { state: true },
    status: { state: true },
  };

  declare works: Work[];
  declare loaded: boolean;
  declare error: string;
  declare status: string;

  constructor() {
    super();
    this.works = [];
    this.loaded = false;
    this.error = '';
    this.status = '';
  }

  /** The works this list shows. */
  protected abstract fetch(): Promise<Work[]>;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  protected async load(): Promise<void> {
    try {
      this.works = await this.fetch();
    } catch (error) {
      this.error = describeError(error);
    }
    this.loaded = true;
  }

  /** Run `action`; its failure becomes the error line. */
  protected async attempt(action: () => Promise<void>): Promise<void> {
    this.error = '';
    try {
      await action();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** The status line (polite), the error (an alert) and, when loaded and empty, `empty`. */
  protected notices(empty: string) {
    return html`<p role="status" aria-live="polite">${this.status}</p>
      ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      ${this.loaded && !this.works.length ? html`<p>${empty}</p>` : nothing}`;
  }
}
