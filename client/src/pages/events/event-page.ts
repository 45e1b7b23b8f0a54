import { html, nothing } from 'lit';
import {
  calendarUrl,
  cancel,
  eventInfo,
  joinEvent,
  recording,
  register,
  slideImageUrl,
  type EventInfo,
  type Recording,
} from '../../api/events';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { formatTime } from '../../i18n/format';
import { navigate } from '../../router';
import './event-slides';
import { kind, places, when } from './events-list';

/** An event: when and who, registering or cancelling, the calendar file, joining, and after
 * it started the recording (slides, chat and the questions taken). */
export class EventPage extends LightElement {
  static override properties = {
    slug: { attribute: false },
    event: { state: true },
    record: { state: true },
    error: { state: true },
  };

  declare slug: string;
  declare event: EventInfo | null;
  declare record: Recording | null;
  declare error: string;

  constructor() {
    super();
    this.slug = '';
    this.event = null;
    this.record = null;
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.event = await eventInfo(this.slug);
      if (this.event.started && this.event.my_status === 'registered') {
        this.record = await recording(this.slug);
      }
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async act(work: () => Promise<void>): Promise<void> {
    this.error = '';
    try {
      await work();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private register = () =>
    this.act(async () => {
      this.event = await register(this.slug);
    });

  private cancel = () =>
    this.act(async () => {
      this.event = await cancel(this.slug);
    });

  private join = () =>
    this.act(async () => {
      const joined = await joinEvent(this.slug);
      navigate(`/spaces/${joined.space_id}`);
    });

  private renderRecording(r: Recording) {
    return html`
      <section aria-labelledby="recording-heading">
        <h2 id="recording-heading">${t('events.recording')}</h2>
        <p class="hint">${t('events.recordingNote')}</p>
        <ol>
          ${r.slides.map(
            (s) => html`<li>
              ${s.image
                ? html`<img
                    class="event-slide-image"
                    src=${slideImageUrl(this.slug, s.id)}
                    alt=${s.text || t('events.panel.slide', { number: s.position + 1, count: r.slides.length })}
                  />`
                : s.text}
            </li>`,
          )}
        </ol>
        <ul role="list" class="event-log">
          ${r.log.map((e) => html`<li><time datetime=${e.at}>${formatTime(e.at)}</time> ${this.logLine(e)}</li>`)}
        </ul>
        <h3>${t('events.panel.taken')}</h3>
        <ul>
          ${r.questions.map((q) => html`<li>${q.text}</li>`)}
        </ul>
      </section>
    `;
  }

  private logLine(e: Recording['log'][number]) {
    if (e.kind === 'slide') return t('events.log.slide', { number: (e.slide ?? 0) + 1 });
    if (e.kind === 'chat') return t('events.log.chat', { name: e.name ?? '', text: e.text ?? '' });
    return t(`events.log.${e.kind}` as MessageKey);
  }

  override render() {
    const e = this.event;
    if (!e) return this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing;
    const registered = e.my_status === 'registered';
    const names = (people: { name: string }[]) => people.map((p) => p.name).join(', ');
    return html`
      <section class="panel" aria-labelledby="event-heading">
        <p><a href="/events">${t('events.back')}</a></p>
        <h1 id="event-heading">${e.title}</h1>
        <p class="hint">${kind(e)} · ${when(e)}</p>
        <p class="lead">${e.description}</p>
        <p>${t('events.hosts', { names: names(e.hosts) })}</p>
        ${e.speakers.length ? html`<p>${t('events.speakers', { names: names(e.speakers) })}</p>` : nothing}
        <p class="hint">${places(e)}</p>
        ${e.host
          ? html`<p>${t('events.hosting')}</p>`
          : e.my_status
            ? html`<p>${t(`events.status.${e.my_status}` as MessageKey)}</p>`
            : nothing}
        ${!e.ended && (!e.my_status || e.my_status === 'cancelled')
          ? html`<p><button class="button" @click=${this.register}>${t('events.register')}</button></p>`
          : nothing}
        ${registered && !e.ended
          ? html`<p><button class="button" @click=${this.join}>${t('events.join')}</button></p>
              <p class="hint">${t('events.joinHint')}</p>
              <p><a href=${calendarUrl(e.slug)} download>${t('events.calendar')}</a></p>`
          : nothing}
        ${e.my_role === 'audience' && !e.ended
          ? html`<p>
              <button class="button button--secondary" @click=${this.cancel}>${t('events.cancel')}</button>
            </p>`
          : nothing}
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        ${e.host && !e.ended ? html`<cv-event-slides .slug=${e.slug}></cv-event-slides>` : nothing}
        ${this.record ? this.renderRecording(this.record) : nothing}
      </section>
    `;
  }
}

customElements.define('cv-event-page', EventPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-event-page': EventPage;
  }
}
