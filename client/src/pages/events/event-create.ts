import { html, nothing } from 'lit';
import { communities, type Community } from '../../api/community';
import { createEvent, setSlides, type NewEvent } from '../../api/events';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { navigate } from '../../router';
import { organiser } from './events-list';

const KINDS: NewEvent['kind'][] = ['talk', 'qa', 'campaign'];

/** A web address from a title: lower case, digits and dashes. */
function slugOf(title: string): string {
  return title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

/** An organiser creates an event: a site event (site staff) or an event of a community they
 * organise (`?community=<slug>` chooses it first). The server checks who may. */
export class EventCreate extends LightElement {
  static override properties = {
    error: { state: true },
    slug: { state: true },
    mine: { state: true },
    chosen: { state: true },
  };

  declare error: string;
  declare slug: string;
  declare mine: Community[];
  declare chosen: string;

  constructor() {
    super();
    this.error = '';
    this.slug = '';
    this.mine = [];
    this.chosen = new URLSearchParams(location.search).get('community') ?? '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadCommunities();
  }

  /** The communities one organises (their facilitators and moderators; site staff: all). */
  private async loadCommunities(): Promise<void> {
    try {
      this.mine = (await communities()).filter((c) => c.staff);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    this.error = '';
    try {
      const made = await createEvent({
        slug: text('slug'),
        title: text('title'),
        description: text('description'),
        kind: text('kind') as NewEvent['kind'],
        starts_at: new Date(text('starts')).toISOString(),
        duration_minutes: Number(text('duration')),
        capacity: Number(text('capacity')),
        template: text('template') as NewEvent['template'],
        visibility: this.chosen ? (text('visibility') as NewEvent['visibility']) : 'public',
        community: this.chosen || null,
      });
      const slides = text('slides')
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      if (slides.length) await setSlides(made.slug, slides);
      navigate(`/events/${made.slug}`);
    } catch (error) {
      this.error = describeError(error);
    }
  };

  /** Whose event: the site's (site staff) or one of the communities one organises. */
  private renderCommunity() {
    if (!this.mine.length && !this.chosen) return nothing;
    const site = organiser() || !this.chosen;
    return html`
      <label for="ev-community">${t('events.form.community')}</label>
      <select id="ev-community" name="community" @change=${(e: Event) => (this.chosen = (e.target as HTMLSelectElement).value)}>
        ${site ? html`<option value="" ?selected=${!this.chosen}>${t('events.form.community.site')}</option>` : nothing}
        ${this.mine.map((c) => html`<option value=${c.slug} ?selected=${c.slug === this.chosen}>${c.name}</option>`)}
      </select>
      ${this.chosen
        ? html`<label for="ev-visibility">${t('events.form.visibility')}</label>
            <select id="ev-visibility" name="visibility">
              <option value="community">${t('events.form.visibility.community')}</option>
              <option value="public">${t('events.form.visibility.public')}</option>
            </select>`
        : nothing}
    `;
  }

  override render() {
    return html`
      <section class="panel" aria-labelledby="create-heading">
        <p><a href="/events">${t('events.back')}</a></p>
        <h1 id="create-heading">${t('events.createTitle')}</h1>
        <form class="stack" @submit=${this.submit}>
          <label for="ev-title">${t('events.form.title')}</label>
          <input
            id="ev-title"
            name="title"
            required
            minlength="3"
            maxlength="120"
            @input=${(e: Event) => (this.slug = slugOf((e.target as HTMLInputElement).value))}
          />
          <label for="ev-slug">${t('events.form.slug')}</label>
          <input id="ev-slug" name="slug" required pattern="[a-z0-9-]{3,60}" .value=${this.slug} />
          ${this.renderCommunity()}
          <label for="ev-kind">${t('events.form.kind')}</label>
          <select id="ev-kind" name="kind">
            ${KINDS.map((k) => html`<option value=${k}>${t(`events.kind.${k}`)}</option>`)}
          </select>
          <label for="ev-starts">${t('events.form.starts')}</label>
          <input id="ev-starts" name="starts" type="datetime-local" required />
          <label for="ev-duration">${t('events.form.duration')}</label>
          <input id="ev-duration" name="duration" type="number" min="15" max="480" value="60" required />
          <label for="ev-capacity">${t('events.form.capacity')}</label>
          <input id="ev-capacity" name="capacity" type="number" min="1" max="490" value="100" required />
          <label for="ev-template">${t('events.form.venue')}</label>
          <select id="ev-template" name="template">
            <option value="auditorium">${t('events.form.venue.auditorium')}</option>
            <option value="clinic-lobby">${t('events.form.venue.lobby')}</option>
          </select>
          <label for="ev-description">${t('events.form.description')}</label>
          <textarea id="ev-description" name="description" rows="3" maxlength="4000"></textarea>
          <label for="ev-slides">${t('events.form.slides')}</label>
          <textarea id="ev-slides" name="slides" rows="4"></textarea>
          <p><button class="button" type="submit">${t('events.form.submit')}</button></p>
          ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        </form>
      </section>
    `;
  }
}

customElements.define('cv-event-create', EventCreate);

declare global {
  interface HTMLElementTagNameMap {
    'cv-event-create': EventCreate;
  }
}
