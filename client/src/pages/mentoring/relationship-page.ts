import { html, nothing } from 'lit';
import {
  addGoal,
  endRelationship,
  markGoal,
  relationship,
  reportRelationship,
  scheduleMeeting,
  sendMessage,
  type Relationship,
} from '../../api/mentoring';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { formatDate, formatTime } from '../../i18n/format';
import { navigate } from '../../router';

/** One mentoring relationship: why matched, the private room, goals, meetings, messages, the end. */
export class MentoringRelationship extends LightElement {
  static override properties = {
    relId: { attribute: false },
    rel: { state: true },
    error: { state: true },
    status: { state: true },
  };

  declare relId: string;
  declare rel: Relationship | null;
  declare error: string;
  declare status: string;

  constructor() {
    super();
    this.relId = '';
    this.rel = null;
    this.error = '';
    this.status = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.rel = await relationship(this.relId);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private act(work: (form: FormData) => Promise<void>, reload = true) {
    return async (e: Event) => {
      e.preventDefault();
      const form = e.target instanceof HTMLFormElement ? e.target : null;
      this.error = '';
      try {
        await work(form ? new FormData(form) : new FormData());
        form?.reset();
        if (reload) await this.load();
      } catch (error) {
        this.error = describeError(error);
      }
    };
  }

  private goal = this.act((d) => addGoal(this.relId, String(d.get('text') ?? '')));
  private meeting = this.act((d) => {
    const when = new Date(String(d.get('when') ?? ''));
    return scheduleMeeting(this.relId, when.toISOString(), 30);
  });
  private message = this.act((d) => sendMessage(this.relId, String(d.get('body') ?? '')));
  private report = this.act(async (d) => {
    await reportRelationship(this.relId, String(d.get('reason') ?? ''));
    this.status = t('mentoring.rel.reported');
  }, false);
  private end = this.act(() => endRelationship(this.relId));

  private live(r: Relationship) {
    return html`
      <form class="stack" @submit=${this.goal}>
        <label for="goal-text">${t('mentoring.rel.goalNew')}</label>
        <input id="goal-text" name="text" required maxlength="300" />
        <p><button class="button" type="submit">${t('mentoring.rel.goalAdd')}</button></p>
      </form>
      <h2>${t('mentoring.rel.meetings')}</h2>
      ${r.meetings.length
        ? html`<ul role="list">
            ${r.meetings.map(
              (m) => html`<li>
                ${t('mentoring.rel.meeting', {
                  when: `${formatDate(m.starts_at)} ${formatTime(m.starts_at)}`,
                  minutes: m.duration_minutes,
                })}
              </li>`,
            )}
          </ul>`
        : html`<p>${t('mentoring.rel.noMeetings')}</p>`}
      <form class="stack" @submit=${this.meeting}>
        <label for="meeting-when">${t('mentoring.rel.meetingWhen')}</label>
        <input id="meeting-when" name="when" type="datetime-local" required />
        <p><button class="button" type="submit">${t('mentoring.rel.meetingAdd')}</button></p>
      </form>
    `;
  }

  override render() {
    const r = this.rel;
    if (!r) return this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing;
    const active = r.status === 'active';
    return html`
      <section class="panel" aria-labelledby="rel-heading">
        <h1 id="rel-heading">${t(`mentoring.side.${r.my_side}`, { name: r.other })}</h1>
        <p>
          ${t('mentoring.rel.why')}:
          ${r.reasons.map((c) => t(`mentoring.why.${c}` as MessageKey)).join(', ')}
        </p>
        ${active
          ? html`<p>
              <button class="button" @click=${() => navigate(`/spaces/${r.space_id}`)}>
                ${t('mentoring.rel.enter')}
              </button>
            </p>`
          : html`<p>${t('mentoring.rel.ended')}</p>`}
        <h2>${t('mentoring.rel.goals')}</h2>
        <ul role="list">
          ${r.goals.map(
            (g) => html`<li>
              <label>
                <input
                  type="checkbox"
                  .checked=${g.done}
                  ?disabled=${!active}
                  @change=${(e: Event) =>
                    void markGoal(r.id, g.id, (e.target as HTMLInputElement).checked)}
                />
                ${g.text}
              </label>
            </li>`,
          )}
        </ul>
        ${active ? this.live(r) : nothing}
        <h2>${t('mentoring.rel.messages')}</h2>
        ${r.messages.length
          ? html`<ol role="list" class="messages">
              ${r.messages.map(
                (m) => html`<li>
                  <strong>${m.mine ? t('mentoring.rel.me') : m.author}</strong>
                  <span class="hint">${formatTime(m.created_at)}</span>
                  <p>${m.body}</p>
                </li>`,
              )}
            </ol>`
          : html`<p>${t('mentoring.rel.noMessages')}</p>`}
        ${active
          ? html`<form class="stack" @submit=${this.message}>
              <label for="message-body">${t('mentoring.rel.message')}</label>
              <textarea id="message-body" name="body" required maxlength="4000"></textarea>
              <p><button class="button" type="submit">${t('mentoring.rel.send')}</button></p>
            </form>`
          : nothing}
        <h2>${t('mentoring.rel.report')}</h2>
        <p>${t('mentoring.rel.danger')}</p>
        <form class="stack" @submit=${this.report}>
          <label for="report-reason">${t('mentoring.rel.reportReason')}</label>
          <textarea id="report-reason" name="reason" required maxlength="2000"></textarea>
          <p><button class="button button--secondary" type="submit">${t('mentoring.rel.reportSend')}</button></p>
        </form>
        ${active
          ? html`<p><button class="button button--secondary" @click=${this.end}>${t('mentoring.rel.end')}</button></p>`
          : nothing}
        <p role="status">${this.status}</p>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      </section>
    `;
  }
}

customElements.define('cv-mentoring-relationship', MentoringRelationship);

declare global {
  interface HTMLElementTagNameMap {
    'cv-mentoring-relationship': MentoringRelationship;
  }
}
