import { html, nothing } from 'lit';
import { planActivity, updateActivity, week, type Activity, type Week } from '../../api/selfhelp';
import type { CrisisPath } from '../../api/wellbeing';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { formatDate, formatTime, toDateInputValue } from '../../i18n/format';
import { crisisPanel } from './crisis-panel';

const CATEGORIES = ['routine', 'pleasure', 'necessary', 'values'] as const;
const RATINGS = ['mood_before', 'mood_after', 'pleasure', 'mastery'] as const;

/** Local Monday 00:00 of the week holding `day`. */
export function mondayOf(day: Date): Date {
  const monday = new Date(day.getFullYear(), day.getMonth(), day.getDate());
  monday.setDate(monday.getDate() - ((monday.getDay() + 6) % 7));
  return monday;
}

/** An ISO time with the page's own offset ("2026-11-30T00:00:00+01:00"), as the API wants. */
function withOffset(d: Date): string {
  const minutes = -d.getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '-';
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return `${toDateInputValue(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}:00${sign}${pad(minutes / 60)}:${pad(minutes % 60)}`;
}

/**
 * The behavioural activation planner (`/wellbeing/self-help/activities`): a week of planned
 * activities by day, adding one (category routine, pleasure, necessary or values), marking it
 * done with mood before and after, pleasure and mastery (0-10), and the week's summary linking
 * each category to the mood change it brought.
 */
export class ActivityPlannerPage extends LightElement {
  static override properties = {
    start: { state: true },
    data: { state: true },
    completing: { state: true },
    crisis: { state: true },
    busy: { state: true },
    error: { state: true },
  };

  declare start: Date;
  declare data: Week | null;
  declare completing: string | null;
  declare crisis: CrisisPath | null;
  declare busy: boolean;
  declare error: string;

  constructor() {
    super();
    this.start = mondayOf(new Date());
    this.data = null;
    this.completing = null;
    this.crisis = null;
    this.busy = false;
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.data = await week(withOffset(this.start));
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private move(days: number): void {
    const next = new Date(this.start);
    next.setDate(next.getDate() + days);
    this.start = next;
    void this.load();
  }

  private async add(event: Event): Promise<void> {
    event.preventDefault();
    const formEl = event.target as HTMLFormElement;
    const form = new FormData(formEl);
    const [y, m, d] = String(form.get('day')).split('-').map(Number);
    const [hh, mm] = String(form.get('time') || '09:00').split(':').map(Number);
    const when = new Date(y, m - 1, d, hh, mm);
    const note = String(form.get('note') ?? '').trim();
    this.busy = true;
    this.error = '';
    try {
      const made = await planActivity({
        title: String(form.get('title') ?? ''),
        category: String(form.get('category')) as (typeof CATEGORIES)[number],
        planned_for: withOffset(when),
        note: note || null,
      });
      this.crisis = made.crisis ?? this.crisis;
      if (made.crisis) void this.focusById('crisis-title');
      formEl.reset();
      await this.load();
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  private async complete(event: Event, activity: Activity): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const body: Record<string, unknown> = { done: form.get('done') === 'on' };
    for (const key of RATINGS) {
      const value = String(form.get(key) ?? '');
      if (value !== '') body[key] = Number(value);
    }
    const note = String(form.get('note') ?? '').trim();
    if (note) body.note = note;
    try {
      const changed = await updateActivity(activity.id, body as Parameters<typeof updateActivity>[1]);
      this.crisis = changed.crisis ?? this.crisis;
      if (changed.crisis) void this.focusById('crisis-title');
      this.completing = null;
      await this.load();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private renderComplete(a: Activity) {
    return html`<form class="activity-form" @submit=${(e: Event) => this.complete(e, a)}>
      <label><input type="checkbox" name="done" checked /> ${t('selfhelp.activities.done')}</label>
      ${RATINGS.map(
        (key) => html`<label>${t(`selfhelp.activities.${key}`)}
          <input type="number" min="0" max="10" name=${key} .value=${a[key] === null || a[key] === undefined ? '' : String(a[key])} />
        </label>`,
      )}
      <label>${t('selfhelp.activities.note')}<textarea name="note" maxlength="1000" rows="2"></textarea></label>
      <button class="button button--primary" type="submit">${t('selfhelp.activities.saveRatings')}</button>
    </form>`;
  }

  private renderActivity(a: Activity) {
    const rated = a.mood_before !== null && a.mood_before !== undefined && a.mood_after !== null && a.mood_after !== undefined;
    return html`<li>
      <h4>${formatTime(a.planned_for)} · ${a.title}</h4>
      <p>${t(`selfhelp.category.${a.category}`)} · ${t(a.done ? 'selfhelp.activities.isDone' : 'selfhelp.activities.notDone')}
        ${rated ? html` · ${t('selfhelp.activities.moodChange', { before: a.mood_before ?? '', after: a.mood_after ?? '' })}` : nothing}</p>
      ${
        this.completing === a.id
          ? this.renderComplete(a)
          : html`<button class="button" type="button" @click=${() => (this.completing = a.id)}>
              ${t('selfhelp.activities.record', { title: a.title })}</button>`
      }
    </li>`;
  }

  private renderWeek(data: Week) {
    const days = Array.from({ length: 7 }, (_, i) => {
      const d = new Date(this.start);
      d.setDate(d.getDate() + i);
      return d;
    });
    return html`<ul class="activity-week">
      ${days.map((d) => {
        const key = toDateInputValue(d);
        const todays = data.activities.filter((a) => toDateInputValue(new Date(a.planned_for)) === key);
        return html`<li>
          <h3>${formatDate(d)}</h3>
          ${todays.length ? html`<ul class="selfhelp-tools">${todays.map((a) => this.renderActivity(a))}</ul>` : html`<p>${t('selfhelp.activities.nothing')}</p>`}
        </li>`;
      })}
    </ul>`;
  }

  private renderSummary(data: Week) {
    const s = data.summary;
    return html`<section class="panel" aria-labelledby="summary-title">
      <h2 id="summary-title">${t('selfhelp.activities.summary')}</h2>
      <p>${t('selfhelp.activities.adherence', { done: s.done, due: s.due })}</p>
      <table>
        <caption>${t('selfhelp.activities.byCategory')}</caption>
        <thead><tr>
          <th scope="col">${t('selfhelp.activities.category')}</th>
          <th scope="col">${t('selfhelp.activities.doneCount')}</th>
          <th scope="col">${t('selfhelp.activities.meanMood')}</th>
        </tr></thead>
        <tbody>${s.categories.map(
          (c) => html`<tr>
            <th scope="row">${t(`selfhelp.category.${c.category}`)}</th>
            <td>${c.done} / ${c.planned}</td>
            <td>${c.mood_change_mean === null || c.mood_change_mean === undefined ? '–' : c.mood_change_mean}</td>
          </tr>`,
        )}</tbody>
      </table>
    </section>`;
  }

  override render() {
    return html`
      <div class="page-intro">
        <h1>${t('selfhelp.activities.title')}</h1>
        <p class="lead">${t('selfhelp.activities.intro')}</p>
        <p><a href="/wellbeing/self-help">${t('selfhelp.back')}</a></p>
        <div class="form-error" role="alert">${this.error || nothing}</div>
      </div>
      ${this.crisis ? crisisPanel(this.crisis) : nothing}
      <form class="panel activity-form" @submit=${this.add} aria-labelledby="plan-title">
        <h2 id="plan-title">${t('selfhelp.activities.plan')}</h2>
        <label>${t('selfhelp.activities.what')}<input name="title" required maxlength="120" /></label>
        <label>${t('selfhelp.activities.category')}
          <select name="category">${CATEGORIES.map((c) => html`<option value=${c}>${t(`selfhelp.category.${c}`)}</option>`)}</select></label>
        <label>${t('selfhelp.activities.day')}<input type="date" name="day" required .value=${toDateInputValue(new Date())} /></label>
        <label>${t('selfhelp.activities.time')}<input type="time" name="time" value="09:00" /></label>
        <label>${t('selfhelp.activities.note')}<textarea name="note" maxlength="1000" rows="2"></textarea></label>
        <button class="button button--primary" type="submit" ?disabled=${this.busy}>${t('selfhelp.activities.add')}</button>
      </form>
      <section class="panel" aria-labelledby="week-title">
        <h2 id="week-title">${t('selfhelp.activities.weekOf', { date: formatDate(this.start) })}</h2>
        <button class="button" type="button" @click=${() => this.move(-7)}>${t('selfhelp.activities.previous')}</button>
        <button class="button" type="button" @click=${() => this.move(7)}>${t('selfhelp.activities.next')}</button>
        ${this.data ? this.renderWeek(this.data) : nothing}
      </section>
      ${this.data ? this.renderSummary(this.data) : nothing}
    `;
  }
}

customElements.define('cv-activity-planner-page', ActivityPlannerPage);
