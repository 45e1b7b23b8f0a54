import { html, nothing } from 'lit';
import { submitImage, submitText, type Submitted } from '../../api/gallery';
import type { Concern } from '../../api/moderation';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import './gallery.css';

type Kind = 'text' | 'image';

/**
 * Share a work with a community's gallery: a poem or short text (Markdown), or an image with its
 * alt text (required). It waits for a moderator; crisis language shows the message of concern.
 */
export class SubmitWork extends LightElement {
  static override properties = {
    slug: { attribute: false },
    group: { attribute: false },
    kind: { state: true },
    sent: { state: true },
    concern: { state: true },
    error: { state: true },
    busy: { state: true },
  };

  declare slug: string;
  /** An art-therapy group's slug: the work is shared with that group only. */
  declare group: string | null;
  declare kind: Kind;
  declare sent: Submitted | null;
  declare concern: Concern | null;
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.slug = '';
    this.group = null;
    this.kind = 'text';
    this.sent = null;
    this.concern = null;
    this.error = '';
    this.busy = false;
  }

  private async send(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? '');
    this.busy = true;
    this.error = '';
    try {
      if (this.kind === 'image') {
        const file = data.get('image');
        this.sent = await submitImage(
          this.slug,
          { title: text('title'), alt_text: text('alt_text'), caption: text('caption'), group: this.group },
          file as File,
        );
      } else {
        this.sent = await submitText(this.slug, text('title'), text('body'), text('caption'), this.group);
      }
      this.concern = this.sent.concern;
      form.reset();
      this.dispatchEvent(new CustomEvent('work-sent', { bubbles: true }));
    } catch (error) {
      this.error = describeError(error);
    }
    this.busy = false;
  }

  override render() {
    const image = this.kind === 'image';
    return html`
      <section aria-labelledby="submit-heading">
        ${this.group
          ? html`<h2 id="submit-heading">${t('gallery.group.share')}</h2>`
          : html`<h1 id="submit-heading">${t('gallery.submit.title')}</h1>`}
        <p>${t(this.group ? 'gallery.group.intro' : 'gallery.submit.intro')}</p>
        ${this.sent ? html`<p role="status">${t('gallery.submit.sent')}</p>` : nothing}
        ${this.concern ? html`<cv-concern-message .concern=${this.concern}></cv-concern-message>` : nothing}
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        <form class="gallery-form" @submit=${(e: Event) => this.send(e)}>
          <fieldset>
            <legend>${t('gallery.submit.kind')}</legend>
            <label><input type="radio" name="kind" value="text" .checked=${!image}
              @change=${() => (this.kind = 'text')} /> ${t('gallery.submit.kindText')}</label>
            <label><input type="radio" name="kind" value="image" .checked=${image}
              @change=${() => (this.kind = 'image')} /> ${t('gallery.submit.kindImage')}</label>
          </fieldset>
          <label for="work-title">${t('gallery.submit.workTitle')}</label>
          <input id="work-title" name="title" type="text" required maxlength="120" />
          ${image
            ? html`<label for="work-image">${t('gallery.submit.image')}</label>
                <input id="work-image" name="image" type="file" required accept="image/png,image/jpeg,image/webp"
                  aria-describedby="work-image-hint" />
                <p id="work-image-hint" class="hint">${t('gallery.submit.imageHint')}</p>
                <label for="work-alt">${t('gallery.submit.alt')}</label>
                <textarea id="work-alt" name="alt_text" rows="2" required minlength="3" maxlength="1000"></textarea>`
            : html`<label for="work-body">${t('gallery.submit.body')}</label>
                <textarea id="work-body" name="body" rows="8" required maxlength="4000"></textarea>`}
          <label for="work-caption">${t('gallery.submit.caption')}</label>
          <input id="work-caption" name="caption" type="text" maxlength="500" />
          <div class="gallery-actions">
            <button type="submit" ?disabled=${this.busy}>${t('gallery.submit.send')}</button>
            ${this.group ? nothing : html`<a href=${`/gallery/${this.slug}`}>${t('gallery.title')}</a>`}
          </div>
        </form>
      </section>
    `;
  }
}

customElements.define('cv-gallery-submit', SubmitWork);

declare global {
  interface HTMLElementTagNameMap {
    'cv-gallery-submit': SubmitWork;
  }
}
