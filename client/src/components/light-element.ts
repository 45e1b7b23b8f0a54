import { LitElement } from 'lit';
import { onLocaleChange } from '../i18n';

/**
 * Base for Careverse components. They render into the light DOM so that one stylesheet styles
 * them and so that accessibility references that must share a tree (label `for`,
 * `aria-describedby`, the skip link's target) work across components. Each re-renders when the
 * language changes.
 */
export class LightElement extends LitElement {
  private stopLocale: (() => void) | null = null;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopLocale = onLocaleChange(() => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    this.stopLocale?.();
    this.stopLocale = null;
    super.disconnectedCallback();
  }

  /** Move keyboard focus to the element with `id` once the current render is on screen. */
  protected async focusById(id: string): Promise<void> {
    await this.updateComplete;
    (this.querySelector(`#${CSS.escape(id)}`) as HTMLElement | null)?.focus();
  }
}
