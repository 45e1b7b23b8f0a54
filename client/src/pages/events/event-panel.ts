/**
 * The live event panel beside an event's space (2D, stacked on a phone): the slides, who is on
 * stage, and the questions. Hosts start and end the event, move the slides, bring someone up to
 * speak or send them back, and moderate the queue (approve, mark answered, dismiss); the
 * audience asks questions and sees the ones taken. Host controls go through the world hub's
 * `stage` message (docs/protocol.md "Stage (events)"); questions are asked over HTTP (screened
 * for crisis language there) and the hosts are told to refresh.
 */
import { html, nothing } from 'lit';
import {
  ask,
  eventOfSpace,
  questions,
  slideImageUrl,
  slides,
  type Decision,
  type EventInfo,
  type Question,
  type Slide,
} from '../../api/events';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import type { EventMessage, StageMessage, WorldConnection } from '../../world/connection';

interface StageState {
  live: boolean;
  speakers: string[];
  slide: number;
}

const DECISIONS: [Decision, MessageKey][] = [
  ['approve', 'events.panel.approve'],
  ['answer', 'events.panel.answered'],
  ['dismiss', 'events.panel.dismiss'],
];

export class EventPanel extends LightElement {
  static override properties = {
    spaceId: { attribute: false },
    connection: { attribute: false },
    names: { attribute: false },
    me: { attribute: false },
    event: { state: true },
    slides: { state: true },
    questions: { state: true },
    stage: { state: true },
    chosen: { state: true },
    notice: { state: true },
    error: { state: true },
  };

  declare spaceId: string;
  declare connection: WorldConnection | null;
  declare names: Map<string, string>;
  declare me: string;
  declare event: EventInfo | null;
  declare slides: Slide[];
  declare questions: Question[];
  declare stage: StageState;
  declare chosen: string;
  declare notice: string;
  declare error: string;
  private loadedFor = '';
  private stop: (() => void) | null = null;
  private subscribed: WorldConnection | null = null;

  constructor() {
    super();
    this.spaceId = '';
    this.connection = null;
    this.names = new Map();
    this.me = '';
    this.event = null;
    this.slides = [];
    this.questions = [];
    this.stage = { live: false, speakers: [], slide: 0 };
    this.chosen = '';
    this.notice = '';
    this.error = '';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop?.();
    this.stop = null;
    this.subscribed = null;
  }

  override updated(): void {
    if (this.spaceId && this.spaceId !== this.loadedFor) {
      this.loadedFor = this.spaceId;
      void this.load();
    }
    if (this.connection && this.connection !== this.subscribed) {
      this.stop?.();
      this.subscribed = this.connection;
      this.stop = this.connection.on('event', (m) => this.onEvent(m));
    }
  }

  private async load(): Promise<void> {
    try {
      this.event = await eventOfSpace(this.spaceId);
      if (!this.event) return; // not an event's space (or not ours to see): no panel
      this.slides = await slides(this.event.slug);
      await this.refresh();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async refresh(): Promise<void> {
    if (this.event) this.questions = (await questions(this.event.slug)).questions;
  }

  private onEvent(m: EventMessage): void {
    if (m.kind === 'stage' && m.detail) {
      try {
        this.stage = JSON.parse(m.detail) as StageState;
      } catch {
        /* a malformed detail changes nothing */
      }
    } else if (m.kind === 'stage_question' || m.kind === 'stage_asked') {
      // The decision is written just after it is told: ask once now and once a moment later.
      void this.refresh();
      window.setTimeout(() => void this.refresh(), 700);
    }
  }

  private send(message: StageMessage): void {
    this.connection?.stage(message);
  }

  private name(id: string): string {
    return this.names.get(id) ?? t('events.panel.audience');
  }

  private askQuestion = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const field = form.elements.namedItem('question') as HTMLTextAreaElement;
    if (!this.event) return;
    this.error = '';
    try {
      const asked = await ask(this.event.slug, field.value);
      this.notice = asked.crisis ? t('events.panel.crisis') : t('events.panel.sent');
      field.value = '';
      this.send({ t: 'stage', action: 'asked' });
      await this.refresh();
    } catch (error) {
      this.error = describeError(error);
    }
  };

  private renderSlide() {
    const count = this.slides.length;
    if (!count) return html`<p>${t('events.panel.noSlides')}</p>`;
    const index = Math.min(this.stage.slide, count - 1);
    const slide = this.slides[index];
    const label = t('events.panel.slide', { number: index + 1, count });
    return html`<figure class="event-slide">
      ${slide.image && this.event
        ? html`<img src=${slideImageUrl(this.event.slug, slide.id)} alt=${slide.text || label} />`
        : html`<p class="event-slide-text">${slide.text}</p>`}
      <figcaption>${label}</figcaption>
    </figure>`;
  }

  private renderHost() {
    const onStage = new Set(this.stage.speakers);
    const audience = [...this.names.entries()].filter(([id]) => id !== this.me && !onStage.has(id));
    const count = this.slides.length;
    const waiting = this.questions.filter((q) => q.status === 'pending' || q.status === 'held');
    return html`
      <p>
        ${this.stage.live
          ? html`<button class="button button--secondary" @click=${() => this.send({ t: 'stage', action: 'end' })}>
              ${t('events.panel.end')}
            </button>`
          : html`<button
              class="button"
              @click=${() =>
                this.send({ t: 'stage', action: 'start', speakers: this.event?.speakers.map((s) => s.id) ?? [] })}
            >
              ${t('events.panel.start')}
            </button>`}
      </p>
      ${count > 1
        ? html`<p class="event-slide-controls">
            <button
              class="button button--secondary"
              ?disabled=${this.stage.slide <= 0}
              @click=${() => this.send({ t: 'stage', action: 'slide', slide: this.stage.slide - 1 })}
            >
              ${t('events.panel.previous')}
            </button>
            <button
              class="button button--secondary"
              ?disabled=${this.stage.slide >= count - 1}
              @click=${() => this.send({ t: 'stage', action: 'slide', slide: this.stage.slide + 1 })}
            >
              ${t('events.panel.next')}
            </button>
          </p>`
        : nothing}
      ${this.stage.live && audience.length
        ? html`<p>
            <label for="event-bring-up">${t('events.panel.bringUp')}</label>
            <select id="event-bring-up" @change=${(e: Event) => (this.chosen = (e.target as HTMLSelectElement).value)}>
              <option value="">—</option>
              ${audience.map(([id, name]) => html`<option value=${id}>${name}</option>`)}
            </select>
            <button
              class="button button--secondary"
              ?disabled=${!this.chosen}
              @click=${() => this.send({ t: 'stage', action: 'up', target: this.chosen })}
            >
              ${t('events.panel.bringUp')}
            </button>
          </p>`
        : nothing}
      <h3>${t('events.panel.queue')}</h3>
      ${waiting.length ? nothing : html`<p>${t('events.panel.queueEmpty')}</p>`}
      <ul role="list" class="event-queue">
        ${waiting.map(
          (q) => html`<li class="card">
            <p>${q.text}</p>
            <p class="hint">${t('events.panel.askedBy', { name: q.asker ?? '' })}</p>
            ${q.status === 'held' ? html`<p class="error">${t('events.panel.held')}</p>` : nothing}
            ${DECISIONS.filter(([d]) => q.status !== 'held' || d === 'dismiss').map(
              ([decision, key]) => html`<button
                class="button button--secondary"
                @click=${() => this.send({ t: 'stage', action: decision, target: q.id })}
              >
                ${t(key)}
              </button>`,
            )}
          </li>`,
        )}
      </ul>
    `;
  }

  private renderAsk() {
    const mine = this.questions.filter((q) => q.mine && q.status !== 'approved' && q.status !== 'answered');
    return html`
      <p class="hint">
        ${this.stage.speakers.includes(this.me) ? t('events.panel.onStage') : t('events.panel.silenced')}
      </p>
      <form class="stack" @submit=${this.askQuestion}>
        <h3>${t('events.panel.ask')}</h3>
        <label for="event-question">${t('events.panel.question')}</label>
        <textarea id="event-question" name="question" rows="2" minlength="3" maxlength="500" required></textarea>
        <p><button class="button" type="submit">${t('events.panel.send')}</button></p>
      </form>
      ${mine.map(
        (q) => html`<p class="hint">
          ${t('events.panel.mine', { status: t(`events.question.${q.status}` as MessageKey) })}
        </p>`,
      )}
    `;
  }

  override render() {
    const e = this.event;
    if (!e) return nothing;
    const taken = this.questions.filter((q) => q.status === 'approved' || q.status === 'answered');
    return html`
      <section class="event-panel world-panel" aria-labelledby="event-panel-heading">
        <h2 id="event-panel-heading">${t('events.panel.title', { title: e.title })}</h2>
        ${this.stage.live ? nothing : html`<p>${t('events.panel.notLive')}</p>`}
        ${this.renderSlide()}
        <h3>${t('events.panel.stage')}</h3>
        <ul role="list">
          ${this.stage.speakers.map(
            (id) => html`<li>
              ${this.name(id)}
              ${e.host && id !== this.me
                ? html`<button
                    class="button button--secondary"
                    @click=${() => this.send({ t: 'stage', action: 'down', target: id })}
                  >
                    ${t('events.panel.sendDown', { name: this.name(id) })}
                  </button>`
                : nothing}
            </li>`,
          )}
        </ul>
        ${e.host ? this.renderHost() : this.renderAsk()}
        <h3>${t('events.panel.taken')}</h3>
        ${taken.length ? nothing : html`<p>${t('events.panel.noneTaken')}</p>`}
        <ul class="event-taken">
          ${taken.map(
            (q) => html`<li>
              ${q.text} ${q.status === 'answered' ? t('events.panel.answeredMark') : nothing}
            </li>`,
          )}
        </ul>
        <p role="status">${this.notice}</p>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      </section>
    `;
  }
}

customElements.define('cv-event-panel', EventPanel);

declare global {
  interface HTMLElementTagNameMap {
    'cv-event-panel': EventPanel;
  }
}
