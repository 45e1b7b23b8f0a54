import { html, nothing } from 'lit';
import { patientList, type PatientRow } from '../../api/patients';
import {
  createProgramme,
  endEnrolment,
  enrol,
  programme,
  programmes,
  type Programme,
} from '../../api/programmes';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { LoadingController } from '../../controllers/loading';
import { t } from '../../i18n';
import { formatDate } from '../../i18n/format';
import './care.css';

/**
 * The clinician's "Care programmes" (`/programmes`): every programme with its leads and how many
 * are enrolled; create one (you lead it); open one to see the members you care for, enrol one
 * of your patients, or end an enrolment. One column on a phone; every control labelled.
 */
export class ProgrammesPage extends LightElement {
  static override properties = {
    openId: { state: true },
    notice: { state: true },
    failure: { state: true },
    busy: { state: true },
  };

  declare openId: string | null;
  declare notice: string;
  declare failure: string;
  declare busy: boolean;

  private list = new LoadingController(this, () => programmes(), { keep: true });
  private detail = new LoadingController(
    this,
    () => (this.openId ? programme(this.openId) : Promise.resolve(null)),
    { keep: true },
  );
  private mine = new LoadingController(this, () => patientList({ sort: 'name', page_size: 100 }));

  constructor() {
    super();
    this.openId = null;
    this.notice = '';
    this.failure = '';
    this.busy = false;
  }

  private async act(work: () => Promise<string>): Promise<void> {
    this.busy = true;
    this.failure = '';
    this.notice = '';
    try {
      this.notice = await work();
      await Promise.all([this.list.load(), this.openId ? this.detail.load() : Promise.resolve(true)]);
    } catch (error) {
      this.failure = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  private open(id: string | null): void {
    this.openId = id;
    this.notice = '';
    this.failure = '';
    this.detail.clear();
    if (id) void this.detail.load();
  }

  private onCreate(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    void this.act(async () => {
      await createProgramme(String(data.get('name') ?? ''), String(data.get('description') ?? ''));
      form.reset();
      return t('programmes.created');
    });
  }

  private onEnrol(event: SubmitEvent, p: Programme): void {
    event.preventDefault();
    const select = (event.target as HTMLFormElement).elements.namedItem('patient') as HTMLSelectElement;
    const patientId = select.value;
    if (!patientId) return;
    void this.act(async () => {
      const member = await enrol(p.id, patientId);
      return t('programmes.enrolledNow', { name: member.name });
    });
  }

  private renderList(list: Programme[]) {
    return html`<section class="panel" aria-labelledby="programmes-list">
      <h2 id="programmes-list">${t('programmes.listHeading')}</h2>
      ${list.length === 0
        ? html`<p>${t('programmes.empty')}</p>`
        : html`<ul class="programme-list" role="list">
            ${list.map(
              (p) => html`<li class="programme-card">
                <h3>
                  <button type="button" class="link-button" @click=${() => this.open(p.id)}
                    aria-label=${t('programmes.open', { name: p.name })}>${p.name}</button>
                </h3>
                <p>${p.description}</p>
                <p class="muted">
                  ${t('programmes.leads', { names: p.leads.map((l) => l.name).join(', ') })} ·
                  ${t('programmes.enrolled', { count: p.enrolled })}
                  ${p.is_lead ? html` · <strong>${t('programmes.youLead')}</strong>` : nothing}
                </p>
              </li>`,
            )}
          </ul>`}
    </section>`;
  }

  private renderCreate() {
    return html`<section class="panel" aria-labelledby="programmes-create">
      <h2 id="programmes-create">${t('programmes.createHeading')}</h2>
      <form class="stack" @submit=${(e: SubmitEvent) => this.onCreate(e)}>
        <label for="programme-name">${t('programmes.name')}</label>
        <input id="programme-name" name="name" required maxlength="120" autocomplete="off" />
        <label for="programme-description">${t('programmes.description')}</label>
        <textarea id="programme-description" name="description" maxlength="2000" rows="3"></textarea>
        <button type="submit" ?disabled=${this.busy}>${t('programmes.create')}</button>
      </form>
    </section>`;
  }

  private renderDetail(p: Programme) {
    const enrolled = new Set((p.members ?? []).map((m) => m.patient_id));
    const choices: PatientRow[] = (this.mine.value?.patients ?? []).filter((r) => !enrolled.has(r.id));
    return html`<section class="panel" aria-labelledby="programme-title">
      <button type="button" class="link-button" @click=${() => this.open(null)}>
        <span class="dir-icon" aria-hidden="true">←</span> ${t('programmes.back')}
      </button>
      <h2 id="programme-title">${p.name}</h2>
      <p>${p.description}</p>
      <p class="muted">${t('programmes.leads', { names: p.leads.map((l) => l.name).join(', ') })}</p>
      <h3>${t('programmes.membersHeading')}</h3>
      ${p.members === null
        ? html`<p>${t('programmes.notLead')}</p>`
        : p.members.length === 0
          ? html`<p>${t('programmes.noMembers')}</p>`
          : html`<ul class="programme-members" role="list">
              ${p.members.map(
                (m) => html`<li>
                  <a href="/patients/${encodeURIComponent(m.patient_id)}">${m.name}</a>
                  <span class="muted">${t('programmes.since', { date: formatDate(m.enrolled_at) })}</span>
                  <button type="button" ?disabled=${this.busy}
                    @click=${() => void this.act(async () => {
                      await endEnrolment(p.id, m.patient_id);
                      return t('programmes.ended');
                    })}>${t('programmes.end', { name: m.name })}</button>
                </li>`,
              )}
            </ul>`}
      ${p.hidden_members > 0 ? html`<p class="muted">${t('programmes.hidden', { count: p.hidden_members })}</p>` : nothing}
      <h3>${t('programmes.enrolHeading')}</h3>
      <form class="stack" @submit=${(e: SubmitEvent) => this.onEnrol(e, p)}>
        <label for="programme-patient">${t('programmes.patient')}</label>
        <select id="programme-patient" name="patient" required>
          <option value="">${t('programmes.choose')}</option>
          ${choices.map((r) => html`<option value=${r.id}>${r.name}</option>`)}
        </select>
        <button type="submit" ?disabled=${this.busy}>${t('programmes.enrol')}</button>
      </form>
    </section>`;
  }

  override render() {
    return html`
      <div class="panel">
        <h1>${t('area.programmes.title')}</h1>
        <p class="lead">${t('programmes.intro')}</p>
        <div class="notice" role="status">${this.notice || nothing}</div>
        ${this.failure ? html`<p class="error" role="alert">${this.failure}</p>` : nothing}
      </div>
      ${this.openId
        ? this.detail.render((p) => (p ? this.renderDetail(p) : nothing))
        : html`${this.list.render((list) => this.renderList(list))} ${this.renderCreate()}`}
    `;
  }
}

customElements.define('cv-programmes-page', ProgrammesPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-programmes-page': ProgrammesPage;
  }
}
