import { html, nothing } from 'lit';
import {
  patientList,
  type PatientFilters,
  type PatientPage,
  type PatientRisk,
  type PatientRow,
  type PatientSort,
} from '../../api/patients';
import { LightElement } from '../../components/light-element';
import { LoadingController } from '../../controllers/loading';
import { t, type MessageKey } from '../../i18n';
import { formatDate, formatTime } from '../../i18n/format';
import '../monitoring/monitoring.css';
import './patients.css';

const RISKS: readonly PatientRisk[] = ['high', 'medium', 'low', 'none'];
const SORTS: readonly PatientSort[] = ['risk', 'name', 'next_visit', 'alerts'];
const PAGE_SIZE = 25;
const SOON_DAYS = 7;

/** "41 years, female" (or what is known of it). */
export function ageSex(row: Pick<PatientRow, 'age' | 'sex'>): string {
  const sex = row.sex ? t(`patients.sex.${row.sex}` as MessageKey) : '';
  if (row.age !== null && sex) return t('patients.ageSex', { age: row.age, sex });
  if (row.age !== null) return t('patients.age', { age: row.age });
  return sex;
}

/** The NEWS2 badge of a row: the number and band, coloured like the monitoring panel's. */
export function riskBadge(row: PatientRow) {
  const news2 = row.news2;
  if (!news2) {
    return html`<span class="risk risk--unknown patient-risk">${t('patients.noNews2')}</span>`;
  }
  return html`<span class="risk risk--${news2.risk} patient-risk">
    <span class="risk__total">${t('patients.news2', { total: news2.total })}</span>
    <span class="risk__text">${t(`patients.risk.${row.risk}` as MessageKey)}</span>
  </span>`;
}

export function alertsText(row: PatientRow): string {
  if (row.open_alerts === 0) return t('patients.noAlerts');
  return t('patients.alerts', {
    count: row.open_alerts,
    severity: t(`patients.severity.${row.highest_severity ?? 'low'}` as MessageKey),
  });
}

export function visitText(at: string | null): string {
  return at ? t('patients.nextVisit', { date: formatDate(at), time: formatTime(at) }) : t('patients.noVisit');
}

/**
 * The clinician's "Patients": everyone in their care, most at risk first, with the latest NEWS2
 * and its time, open alerts, the next visit and overdue questionnaires. Search by name, filter
 * chips (risk bands, open alerts, a visit within a week, questionnaires overdue), a sort and
 * pages; each name opens the patient's record.
 */
export class PatientsPage extends LightElement {
  static override properties = {
    search: { state: true },
    risks: { state: true },
    alertsOnly: { state: true },
    visitSoon: { state: true },
    overdue: { state: true },
    sort: { state: true },
    page: { state: true },
  };

  declare search: string;
  declare risks: PatientRisk[];
  declare alertsOnly: boolean;
  declare visitSoon: boolean;
  declare overdue: boolean;
  declare sort: PatientSort;
  declare page: number;

  private draft = '';
  private list = new LoadingController(this, () => patientList(this.filters()), { keep: true });

  constructor() {
    super();
    this.search = '';
    this.risks = [];
    this.alertsOnly = false;
    this.visitSoon = false;
    this.overdue = false;
    this.sort = 'risk';
    this.page = 1;
  }

  private filters(): PatientFilters {
    return {
      q: this.search || undefined,
      risk: this.risks.length ? this.risks : undefined,
      has_open_alerts: this.alertsOnly || undefined,
      next_visit_within_days: this.visitSoon ? SOON_DAYS : undefined,
      overdue_questionnaires: this.overdue || undefined,
      sort: this.sort,
      page: this.page,
      page_size: PAGE_SIZE,
    };
  }

  /** Change the query and load again from its first page (or the given one). */
  private change(update: () => void, page = 1): void {
    update();
    this.page = page;
    void this.list.load();
  }

  private onSearch(event: SubmitEvent): void {
    event.preventDefault();
    this.change(() => (this.search = this.draft.trim()));
  }

  private toggleRisk(risk: PatientRisk): void {
    this.change(() => {
      this.risks = this.risks.includes(risk)
        ? this.risks.filter((r) => r !== risk)
        : [...this.risks, risk];
    });
  }

  private chip(label: MessageKey, pressed: boolean, toggle: () => void, name: string) {
    return html`<button
      type="button"
      class="chip"
      data-filter=${name}
      aria-pressed=${pressed ? 'true' : 'false'}
      @click=${toggle}
    >
      ${t(label)}
    </button>`;
  }

  private renderControls() {
    return html`
      <form class="patients-search" role="search" novalidate @submit=${this.onSearch}>
        <label for="patients-q">${t('patients.searchLabel')}</label>
        <div class="patients-search__row">
          <input
            id="patients-q"
            type="search"
            maxlength="100"
            autocomplete="off"
            .value=${this.draft}
            @input=${(e: Event) => (this.draft = (e.target as HTMLInputElement).value)}
          />
          <button class="button button--secondary" type="submit">${t('patients.search')}</button>
        </div>
      </form>
      <div class="patients-filters" role="group" aria-labelledby="patients-filters-label">
        <span id="patients-filters-label" class="patients-filters__label">${t('patients.filtersLabel')}</span>
        <div class="chips" role="group" aria-label=${t('patients.riskLegend')}>
          ${RISKS.map((risk) =>
            this.chip(`patients.risk.${risk}` as MessageKey, this.risks.includes(risk), () => this.toggleRisk(risk), `risk-${risk}`),
          )}
        </div>
        <div class="chips">
          ${this.chip('patients.filter.alerts', this.alertsOnly, () => this.change(() => (this.alertsOnly = !this.alertsOnly)), 'alerts')}
          ${this.chip('patients.filter.visitSoon', this.visitSoon, () => this.change(() => (this.visitSoon = !this.visitSoon)), 'visit')}
          ${this.chip('patients.filter.overdue', this.overdue, () => this.change(() => (this.overdue = !this.overdue)), 'overdue')}
        </div>
      </div>
      <div class="field patients-sort">
        <label for="patients-sort">${t('patients.sortLabel')}</label>
        <select
          id="patients-sort"
          @change=${(e: Event) =>
            this.change(() => (this.sort = (e.target as HTMLSelectElement).value as PatientSort))}
        >
          ${SORTS.map(
            (sort) =>
              html`<option value=${sort} ?selected=${sort === this.sort}>
                ${t(`patients.sort.${sort}` as MessageKey)}
              </option>`,
          )}
        </select>
      </div>
    `;
  }

  private renderRow(row: PatientRow) {
    return html`
      <li class="item patient-row" data-patient=${row.id}>
        <div class="patient-row__who">
          <h2 class="item__title"><a href="/patients/${row.id}">${row.name}</a></h2>
          ${ageSex(row) ? html`<p class="item__meta">${ageSex(row)}</p>` : nothing}
        </div>
        <div class="patient-row__news2">
          ${riskBadge(row)}
          ${row.news2?.at
            ? html`<p class="item__meta">
                ${t('patients.news2At', { time: formatTime(row.news2.at), date: formatDate(row.news2.at) })}
              </p>`
            : nothing}
        </div>
        <ul class="patient-row__facts" role="list">
          <li class=${row.open_alerts ? `patient-alerts patient-alerts--${row.highest_severity}` : ''}>
            ${alertsText(row)}
          </li>
          <li>${visitText(row.next_visit)}</li>
          ${row.overdue_questionnaires
            ? html`<li>${t('patients.overdue', { count: row.overdue_questionnaires })}</li>`
            : nothing}
        </ul>
      </li>
    `;
  }

  private renderPages(found: PatientPage) {
    const pages = Math.max(1, Math.ceil(found.total / found.page_size));
    if (pages <= 1) return nothing;
    return html`
      <nav class="patients-pages" aria-label=${t('patients.pages')}>
        <button
          class="button button--secondary"
          type="button"
          ?disabled=${found.page <= 1}
          @click=${() => this.change(() => undefined, found.page - 1)}
        >
          ${t('patients.previous')}
        </button>
        <span>${t('patients.page', { page: found.page, pages })}</span>
        <button
          class="button button--secondary"
          type="button"
          ?disabled=${found.page >= pages}
          @click=${() => this.change(() => undefined, found.page + 1)}
        >
          ${t('patients.next')}
        </button>
      </nav>
    `;
  }

  private renderList(found: PatientPage) {
    const filtered =
      this.search || this.risks.length || this.alertsOnly || this.visitSoon || this.overdue;
    return html`
      <p class="patients-count" role="status">${t('patients.count', { count: found.total })}</p>
      ${found.patients.length === 0
        ? html`<p class="empty">${t(filtered ? 'patients.empty' : 'patients.none')}</p>`
        : html`<ul class="item-list patient-list" role="list">
            ${found.patients.map((row) => this.renderRow(row))}
          </ul>`}
      ${this.renderPages(found)}
    `;
  }

  override render() {
    return html`
      <div class="page-intro">
        <h1>${t('area.patients.title')}</h1>
        <p class="lead">${t('patients.intro')}</p>
      </div>
      <section class="panel patients-controls">${this.renderControls()}</section>
      <section class="panel" aria-label=${t('area.patients.title')}>
        ${this.list.render((found) => this.renderList(found))}
      </section>
    `;
  }
}

customElements.define('cv-patients-page', PatientsPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-patients-page': PatientsPage;
  }
}
