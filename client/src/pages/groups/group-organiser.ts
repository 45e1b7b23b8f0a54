import { html, nothing } from 'lit';
import {
  addSessionNote,
  approveRequest,
  joinRequests,
  openedSessions,
  refer,
  sessionNotes,
  type Group,
  type GroupNote,
  type GroupRequest,
  type GroupSession,
} from '../../api/groups';
import { patients, type Patient } from '../../api/patients';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { formatDate, formatTime } from '../../i18n/format';
import { getAccount } from '../../session';

const when = (iso: string) => `${formatDate(iso)} ${formatTime(iso)}`;

/**
 * The group page's part for those who run or refer to it: a clinician refers a patient in their
 * care; facilitators approve join requests and keep session notes (encrypted on the server,
 * seen by the group's facilitators only).
 */
export class GroupOrganiser extends LightElement {
  static override properties = {
    group: { attribute: false },
    requests: { state: true },
    sessions: { state: true },
    sessionId: { state: true },
    notes: { state: true },
    myPatients: { state: true },
    error: { state: true },
    status: { state: true },
  };

  declare group: Group;
  declare requests: GroupRequest[];
  declare sessions: GroupSession[];
  declare sessionId: string;
  declare notes: GroupNote[];
  declare myPatients: Patient[];
  declare error: string;
  declare status: string;

  constructor() {
    super();
    this.requests = [];
    this.sessions = [];
    this.sessionId = '';
    this.notes = [];
    this.myPatients = [];
    this.error = '';
    this.status = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.act(() => this.load());
  }

  private get clinician(): boolean {
    return getAccount()?.role === 'clinician';
  }

  private async load(): Promise<void> {
    const slug = this.group.slug;
    if (this.clinician) this.myPatients = await patients();
    if (!this.group.facilitator) return;
    [this.requests, this.sessions] = await Promise.all([joinRequests(slug), openedSessions(slug)]);
    if (!this.sessionId && this.sessions[0]) this.sessionId = this.sessions[0].id;
    if (this.sessionId) this.notes = await sessionNotes(slug, this.sessionId);
  }

  private async act(work: () => Promise<void>): Promise<void> {
    this.error = '';
    try {
      await work();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private approve = (r: GroupRequest) =>
    this.act(async () => {
      await approveRequest(this.group.slug, r.id);
      this.status = t('groups.org.approved', { name: r.name });
      await this.load();
    });

  private referPatient = (e: Event) => {
    e.preventDefault();
    const patientId = String(new FormData(e.target as HTMLFormElement).get('patient') ?? '');
    const who = this.myPatients.find((p) => p.id === patientId);
    void this.act(async () => {
      await refer(this.group.slug, patientId);
      this.status = t('groups.org.referred', { name: who?.name ?? '' });
    });
  };

  private pickSession = (e: Event) => {
    this.sessionId = (e.target as HTMLSelectElement).value;
    void this.act(async () => {
      this.notes = await sessionNotes(this.group.slug, this.sessionId);
    });
  };

  private writeNote = (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const body = String(new FormData(form).get('body') ?? '');
    void this.act(async () => {
      await addSessionNote(this.group.slug, this.sessionId, body);
      form.reset();
      this.notes = await sessionNotes(this.group.slug, this.sessionId);
      this.status = t('groups.org.noteSaved');
    });
  };

  private referral() {
    if (!this.myPatients.length) return html`<p>${t('groups.org.noPatients')}</p>`;
    return html`<form class="stack" @submit=${this.referPatient}>
      <label for="refer-patient">${t('groups.org.patient')}</label>
      <select id="refer-patient" name="patient" required>
        ${this.myPatients.map((p) => html`<option value=${p.id}>${p.name}</option>`)}
      </select>
      <p><button class="button" type="submit">${t('groups.org.refer')}</button></p>
    </form>`;
  }

  private requestList() {
    if (!this.requests.length) return html`<p>${t('groups.org.noRequests')}</p>`;
    return html`<ul role="list" class="cards">
      ${this.requests.map(
        (r) => html`<li class="card">
          <p>
            <strong>${r.name}</strong> ·
            ${t(`groups.org.status.${r.status}` as MessageKey)} · ${when(r.since)}
          </p>
          ${r.status === 'requested'
            ? html`<p>
                <button class="button" @click=${() => this.approve(r)}>
                  ${t('groups.org.approve', { name: r.name })}
                </button>
              </p>`
            : nothing}
        </li>`,
      )}
    </ul>`;
  }

  private noteArea() {
    if (!this.sessions.length) return html`<p>${t('groups.org.noSessions')}</p>`;
    return html`
      <p class="hint">${t('groups.org.notesPrivate')}</p>
      <label for="notes-session">${t('groups.org.session')}</label>
      <select id="notes-session" @change=${this.pickSession}>
        ${this.sessions.map(
          (s) => html`<option value=${s.id} ?selected=${s.id === this.sessionId}>${when(s.starts_at)}</option>`,
        )}
      </select>
      ${this.notes.length
        ? html`<ul role="list" class="cards" aria-label=${t('groups.org.notesList')}>
            ${this.notes.map(
              (n) => html`<li class="card">
                <p class="hint">${when(n.created_at)}${n.mine ? html` · ${t('groups.org.mine')}` : nothing}</p>
                <p class="note-body">${n.body}</p>
              </li>`,
            )}
          </ul>`
        : html`<p>${t('groups.org.noNotes')}</p>`}
      <form class="stack" @submit=${this.writeNote}>
        <label for="note-body">${t('groups.org.note')}</label>
        <textarea id="note-body" name="body" required maxlength="8000"></textarea>
        <p><button class="button" type="submit">${t('groups.org.saveNote')}</button></p>
      </form>
    `;
  }

  override render() {
    return html`
      ${this.clinician
        ? html`<h2>${t('groups.org.referTitle')}</h2>
            ${this.referral()}`
        : nothing}
      ${this.group.facilitator
        ? html`<h2>${t('groups.org.requests')}</h2>
            ${this.requestList()}
            <h2>${t('groups.org.notes')}</h2>
            ${this.noteArea()}`
        : nothing}
      <p role="status">${this.status}</p>
      ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
    `;
  }
}

customElements.define('cv-group-organiser', GroupOrganiser);

declare global {
  interface HTMLElementTagNameMap {
    'cv-group-organiser': GroupOrganiser;
  }
}
