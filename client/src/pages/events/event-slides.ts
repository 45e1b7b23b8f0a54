import { html, nothing } from 'lit';
import { addSlideImage, slideImageUrl, slides, type Slide } from '../../api/events';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import './event-slides.css';

/** A host's slides on the event page: the slides in order and adding an image slide (a PNG or
 * JPEG up to 2 MB, with its alternative text; the server checks the file). */
export class EventSlides extends LightElement {
  static override properties = {
    slug: { attribute: false },
    all: { state: true },
    error: { state: true },
    status: { state: true },
    busy: { state: true },
  };

  declare slug: string;
  declare all: Slide[];
  declare error: string;
  declare status: string;
  declare busy: boolean;

  constructor() {
    super();
    this.slug = '';
    this.all = [];
    this.error = '';
    this.status = '';
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.all = await slides(this.slug);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private upload = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const file = data.get('file');
    if (!(file instanceof File) || !file.size) return;
    this.error = '';
    this.status = '';
    this.busy = true;
    try {
      await addSlideImage(this.slug, file, String(data.get('caption') ?? '').trim());
      form.reset();
      this.status = t('events.slides.added');
      await this.load();
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  };

  override render() {
    return html`
      <section aria-labelledby="slides-heading">
        <h2 id="slides-heading">${t('events.slides.title')}</h2>
        ${this.all.length ? nothing : html`<p>${t('events.slides.none')}</p>`}
        <ol class="event-slides">
          ${this.all.map(
            (s) => html`<li>
              ${s.image
                ? html`<img
                    class="event-slide-image"
                    src=${slideImageUrl(this.slug, s.id)}
                    alt=${s.text || t('events.slides.imageAlt', { number: s.position + 1 })}
                  />`
                : s.text}
            </li>`,
          )}
        </ol>
        <form class="stack event-slides" @submit=${this.upload}>
          <label for="slide-file">${t('events.slides.image')}</label>
          <input id="slide-file" name="file" type="file" accept="image/png,image/jpeg" required />
          <label for="slide-caption">${t('events.slides.caption')}</label>
          <input id="slide-caption" name="caption" maxlength="300" />
          <p>
            <button class="button" type="submit" ?disabled=${this.busy}>${t('events.slides.upload')}</button>
          </p>
          <p role="status">${this.status}</p>
          ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        </form>
      </section>
    `;
  }
}

customElements.define('cv-event-slides', EventSlides);

declare global {
  interface HTMLElementTagNameMap {
    'cv-event-slides': EventSlides;
  }
}
