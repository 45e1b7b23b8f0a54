import { html, nothing } from 'lit';
import {
  addAddendum,
  addOverride,
  addProblem,
  admit,
  availability,
  browserZone,
  encounter,
  finish,
  queue,
  removeOverride,
  setAvailability,
  setStatus,
  sign,
  writeNote,
  type Availability,
  type Encounter,
  type Note,
  type QueueEntry,
  type WeeklyHours,
} from '../../api/care';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import './care.css';
import './decision-panel';
import './invite-panel';
import './visit-facts';

/** Monday..Sunday in the reader's language (1 January 2024 was a Monday). */
function weekdayName(weekday: number): string {
  return new Intl.DateTimeFormat(undefined, { weekday: 'long', timeZone: 'UTC' }).format(
    new Date(Date.UTC(2024, 0, 1 + weekday)),
  );
}

const NOTE_FIELDS = [
  'subjective',
  'objective',
  'assessment',
  'plan',
  'follow_up',
  'patient_summary',
] as const satisfies readonly (keyof Note)[];

/**
 * The clinician's consultations: today's queue (polled) with who is checked in, their language
 * and device check, Admit (which opens the private consult room), and the note editor with Sign.
 */
export class CareSchedulePage extends LightElement {
  static override properties = {
    entries: { state: true },
    current: { state: true },
    room: { state: true },
    hours: { state: true },
    notice: { state: true },
    error: { state: true },
  };

  declare entries: QueueEntry[] | null;
  declare current: Encounter | null;
  declare room: string | null;
  declare hours: Availability | null;
  declare notice: string;
  declare error: string;

  private poll: number | null = null;

  constructor() {
    super();
    this.entries = null;
    this.current = null;
    this.room = null;
    this.hours = null;
    this.notice = '';
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const tick = async () => {
      await this.load();
      this.poll = window.setTimeout(tick, 10_000);
    };
    void tick();
    void availability()
      .then((hours) => (this.hours = hours))
      .catch((error: unknown) => (this.error = describeError(error)));
  }

  override disconnectedCallback(): void {
    if (this.poll !== null) window.clearTimeout(this.poll);
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    try {
      this.entries = await queue();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async admitOne(entry: QueueEntry): Promise<void> {
    try {
      const done = await admit(entry.appointment_id);
      this.room = done.space_id;
      this.current = await encounter(done.encounter_id);
      await this.load();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async openNote(entry: QueueEntry): Promise<void> {
    if (!entry.encounter_id) return;
    try {
      this.room = entry.space_id;
      this.current = await encounter(entry.encounter_id);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private value(id: string): string {
    return ((this.querySelector(`#${id}`) as HTMLInputElement | null)?.value ?? '').trim();
  }

  private async save(): Promise<void> {
    if (!this.current) return;
    const note: Note = {};
    for (const field of NOTE_FIELDS) note[field] = this.value(`note-${field}`);
    try {
      this.current = await writeNote(this.current.id, note);
      this.notice = t('care.note.saved');
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async addCoded(): Promise<void> {
    if (!this.current) return;
    const text = this.value('problem-text');
    if (!text) return;
    const system = this.value('problem-system');
    const code = this.value('problem-code');
    try {
      await addProblem(this.current.id, {
        text,
        ...(system && code ? { system, code } : {}),
        ...(this.value('problem-plain') ? { plain_text: this.value('problem-plain') } : {}),
      });
      this.current = await encounter(this.current.id);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async signNote(): Promise<void> {
    if (!this.current) return;
    try {
      await this.save();
      this.current = await sign(this.current.id);
      this.notice = t('care.note.signedNotice');
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async addendum(): Promise<void> {
    if (!this.current) return;
    const text = this.value('note-addendum');
    if (!text) return;
    try {
      await addAddendum(this.current.id, text);
      this.current = await encounter(this.current.id);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async finishVisit(): Promise<void> {
    if (!this.current) return;
    try {
      await finish(this.current.id);
      this.current = null;
      this.room = null;
      await this.load();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async status(event: Event): Promise<void> {
    event.preventDefault();
    const late = Number(this.value('care-late') || 0);
    const away = (this.querySelector('#care-away') as HTMLInputElement | null)?.checked;
    try {
      await setStatus(away ? 'away' : 'online', Math.max(0, Math.min(240, late)));
      this.notice = t('care.statusSaved');
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** Hours per day of the week (one window a day; more windows kept as they are). */
  private async saveHours(event: Event): Promise<void> {
    event.preventDefault();
    if (!this.hours) return;
    const weekly: WeeklyHours[] = [];
    for (let day = 0; day < 7; day++) {
      const works = (this.querySelector(`#hours-works-${day}`) as HTMLInputElement | null)?.checked;
      if (works) {
        weekly.push({
          weekday: day,
          start: this.value(`hours-start-${day}`) || '09:00',
          end: this.value(`hours-end-${day}`) || '17:00',
        });
      }
      // Second and later windows of a day are not shown here: keep them.
      weekly.push(...this.hours.weekly.filter((w) => w.weekday === day).slice(1));
    }
    try {
      this.hours = await setAvailability({
        ...this.hours,
        time_zone: this.value('hours-zone') || browserZone(),
        buffer_minutes: Number(this.value('hours-buffer') || 5),
        weekly,
      });
      this.notice = t('care.hours.saved');
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async addException(event: Event): Promise<void> {
    event.preventDefault();
    const day = this.value('override-day');
    const kind = this.value('override-kind') as 'extra' | 'off';
    const start = this.value('override-start');
    const end = this.value('override-end');
    if (!day) {
      this.error = t('care.override.needDay');
      return;
    }
    try {
      await addOverride({ day, kind, ...(start && end ? { start, end } : {}) });
      this.hours = await availability();
      this.notice = t(kind === 'off' ? 'care.override.offAdded' : 'care.override.extraAdded', { day });
      (event.target as HTMLFormElement).reset();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async dropException(id: string): Promise<void> {
    try {
      await removeOverride(id);
      this.hours = await availability();
      this.notice = t('care.override.removed');
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private renderHours() {
    const h = this.hours;
    if (!h) return nothing;
    const first = (day: number) => h.weekly.find((w) => w.weekday === day);
    return html`
      <details class="care-hours">
        <summary>${t('care.hours.title')}</summary>
        <form @submit=${(e: Event) => this.saveHours(e)}>
          <div class="field">
            <label for="hours-zone">${t('care.hours.zone')}</label>
            <input id="hours-zone" .value=${h.weekly.length ? h.time_zone : browserZone()} />
          </div>
          <div class="care-week">
            ${[0, 1, 2, 3, 4, 5, 6].map((day) => {
              const w = first(day);
              return html`<fieldset class="care-day" data-weekday=${day}>
                <legend>${weekdayName(day)}</legend>
                <label class="care-radio">
                  <input type="checkbox" id="hours-works-${day}" .checked=${Boolean(w)} /> ${t('care.hours.works')}
                </label>
                <div class="field">
                  <label for="hours-start-${day}">${t('care.hours.from')}</label>
                  <input id="hours-start-${day}" type="time" step="300" .value=${w?.start ?? '09:00'} />
                </div>
                <div class="field">
                  <label for="hours-end-${day}">${t('care.hours.to')}</label>
                  <input id="hours-end-${day}" type="time" step="300" .value=${w?.end ?? '17:00'} />
                </div>
              </fieldset>`;
            })}
          </div>
          <div class="field">
            <label for="hours-buffer">${t('care.hours.buffer')}</label>
            <input id="hours-buffer" type="number" min="0" max="60" step="5" .value=${String(h.buffer_minutes)} />
          </div>
          <button class="button button--secondary" type="submit" id="hours-save">${t('care.hours.save')}</button>
        </form>
      </details>
      <details class="care-hours">
        <summary>${t('care.override.title')}</summary>
        <p>${t('care.override.intro')}</p>
        ${(h.overrides ?? []).length
          ? html`<ul class="care-list">
              ${(h.overrides ?? []).map(
                (o) => html`<li class="care-item" data-override=${o.id}>
                  <span>
                    <strong>${o.day}</strong> —
                    ${o.kind === 'off'
                      ? o.start
                        ? t('care.override.offBetween', { start: o.start, end: o.end ?? '' })
                        : t('care.override.offAllDay')
                      : t('care.override.extraBetween', { start: o.start ?? '', end: o.end ?? '' })}
                  </span>
                  <div class="care-actions">
                    <button class="button button--quiet" @click=${() => this.dropException(o.id)}>
                      ${t('care.override.remove', { day: o.day })}
                    </button>
                  </div>
                </li>`,
              )}
            </ul>`
          : html`<p>${t('care.override.none')}</p>`}
        <form @submit=${(e: Event) => this.addException(e)}>
          <div class="field">
            <label for="override-day">${t('care.override.day')}</label>
            <input id="override-day" type="date" required />
          </div>
          <div class="field">
            <label for="override-kind">${t('care.override.kind')}</label>
            <select id="override-kind">
              <option value="off">${t('care.override.off')}</option>
              <option value="extra">${t('care.override.extra')}</option>
            </select>
          </div>
          <div class="field">
            <label for="override-start">${t('care.hours.from')}</label>
            <input id="override-start" type="time" step="300" aria-describedby="override-hint" />
          </div>
          <div class="field">
            <label for="override-end">${t('care.hours.to')}</label>
            <input id="override-end" type="time" step="300" aria-describedby="override-hint" />
          </div>
          <p class="field-hint" id="override-hint">${t('care.override.hint')}</p>
          <button class="button button--secondary" type="submit" id="override-add">${t('care.override.add')}</button>
        </form>
      </details>
    `;
  }

  override render() {
    return html`
      <div class="panel care">
        <h1>${t('area.consultations.title')}</h1>
        <p class="notice" role="status">${this.notice}</p>
        <p class="form-error" role="alert">${this.error}</p>
        ${this.current ? this.renderNote(this.current) : this.renderQueue()}
      </div>
    `;
  }

  private renderQueue() {
    return html`
      ${this.renderHours()}
      <form class="care-status-form" @submit=${(e: Event) => this.status(e)}>
        <label><input type="checkbox" id="care-away" /> ${t('care.away')}</label>
        <div class="field">
          <label for="care-late">${t('care.runningLate')}</label>
          <input id="care-late" type="number" min="0" max="240" value="0" />
        </div>
        <button class="button button--secondary" type="submit">${t('care.saveStatus')}</button>
      </form>
      <h2>${t('care.queue')}</h2>
      ${this.entries === null
        ? html`<p>${t('app.loading')}</p>`
        : this.entries.length === 0
          ? html`<p>${t('care.queueEmpty')}</p>`
          : html`<ul class="care-list">
              ${this.entries.map((e) => this.renderEntry(e))}
            </ul>`}
    `;
  }

  private renderEntry(e: QueueEntry) {
    const check = e.device_check;
    return html`
      <li class="care-item" data-appointment=${e.appointment_id}>
        <strong>${e.start.label}</strong> — ${e.patient_name}
        ${e.patient_language ? html`<span class="care-language">${t('care.language', { language: e.patient_language })}</span>` : nothing}
        <span class="care-status">${t(`care.status.${e.status}` as MessageKey)}</span>
        ${e.waiting_minutes !== null ? html`<span>${t('care.waiting', { count: e.waiting_minutes })}</span>` : nothing}
        ${check
          ? html`<span>${t('care.deviceSummary', {
              camera: check.camera,
              microphone: check.microphone,
              speaker: check.speaker,
              connection: check.connection,
            })}</span>`
          : nothing}
        ${e.reason ? html`<span>${t('care.reasonShown', { reason: e.reason })}</span>` : nothing}
        <div class="care-actions">
          ${e.status === 'checked_in'
            ? html`<button class="button button--primary" @click=${() => this.admitOne(e)}>${t('care.admit')}</button>`
            : nothing}
          ${e.status === 'in_progress' && e.space_id
            ? html`<a class="button button--primary" href="/spaces/${e.space_id}">${t('care.join')}</a>
                <button class="button button--secondary" @click=${() => this.openNote(e)}>${t('care.note.open')}</button>`
            : nothing}
        </div>
      </li>
    `;
  }

  private renderNote(e: Encounter) {
    const label = (field: string) => t(`care.note.${field}` as MessageKey);
    return html`
      <section aria-labelledby="care-note">
        <h2 id="care-note">${t('care.note.title', { name: e.patient_name })}</h2>
        ${e.patient_language ? html`<p>${t('care.language', { language: e.patient_language })}</p>` : nothing}
        <cv-visit-facts encounter-id=${e.id} patient-id=${e.patient_id}></cv-visit-facts>
        ${this.room
          ? html`<p><a class="button button--primary" id="care-room" href="/spaces/${this.room}">${t('care.join')}</a></p>`
          : nothing}
        ${NOTE_FIELDS.map(
          (field) => html`
            <div class="field">
              <label for="note-${field}">${label(field)}</label>
              <textarea id="note-${field}" rows="3" ?readonly=${!e.editable} .value=${e[field] ?? ''}></textarea>
            </div>
          `,
        )}
        <h3>${t('care.note.problems')}</h3>
        <ul>
          ${e.problems.map(
            (p) => html`<li>${p.text}${p.code ? html` <code>${p.code}</code>` : nothing}</li>`,
          )}
        </ul>
        ${e.editable
          ? html`
              <div class="care-problem">
                <div class="field">
                  <label for="problem-text">${t('care.note.problemText')}</label>
                  <input id="problem-text" maxlength="500" />
                </div>
                <div class="field">
                  <label for="problem-plain">${t('care.note.problemPlain')}</label>
                  <input id="problem-plain" maxlength="500" />
                </div>
                <div class="field">
                  <label for="problem-system">${t('care.note.codeSystem')}</label>
                  <select id="problem-system">
                    <option value="">—</option>
                    <option value="snomed">SNOMED CT</option>
                    <option value="icd-10">ICD-10</option>
                  </select>
                </div>
                <div class="field">
                  <label for="problem-code">${t('care.note.code')}</label>
                  <input id="problem-code" maxlength="20" />
                </div>
                <button class="button button--secondary" @click=${() => this.addCoded()}>${t('care.note.addProblem')}</button>
              </div>
              <p class="care-actions">
                <button class="button button--secondary" id="note-save" @click=${() => this.save()}>${t('care.note.save')}</button>
                <button class="button button--primary" id="note-sign" @click=${() => this.signNote()}>${t('care.note.sign')}</button>
              </p>
            `
          : html`
              <p>${t('care.note.signed', { name: e.signed_by_name ?? '' })}</p>
              <ul>${e.addenda.map((a) => html`<li>${a.text} — ${a.author_name}</li>`)}</ul>
              <div class="field">
                <label for="note-addendum">${t('care.note.addendum')}</label>
                <textarea id="note-addendum" rows="2"></textarea>
              </div>
              <p><button class="button button--secondary" @click=${() => this.addendum()}>${t('care.note.addAddendum')}</button></p>
            `}
        <cv-decision-panel encounter-id=${e.id} audience="clinician" heading-level="3"></cv-decision-panel>
        ${e.status !== 'finished'
          ? html`<cv-invite-panel appointment-id=${e.appointment_id}></cv-invite-panel>`
          : nothing}
        <p class="care-actions">
          ${e.status !== 'finished'
            ? html`<button class="button button--secondary" @click=${() => this.finishVisit()}>${t('care.note.finish')}</button>`
            : nothing}
          <button class="button button--quiet" @click=${() => { this.current = null; void this.load(); }}>${t('care.back')}</button>
        </p>
      </section>
    `;
  }
}

customElements.define('cv-care-schedule', CareSchedulePage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-care-schedule': CareSchedulePage;
  }
}
