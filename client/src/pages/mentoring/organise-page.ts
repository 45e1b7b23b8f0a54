import { html, nothing } from 'lit';
import { communities, type Community } from '../../api/community';
import {
  applications,
  decideApplication,
  reports,
  trainingModule,
  type Mentor,
  type Report,
} from '../../api/mentoring';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { formatDate, formatTime } from '../../i18n/format';
import { getAccount } from '../../session';

interface Waiting {
  community: Community;
  mentors: Mentor[];
}

/** Organisers: applications to review (with the quiz result), and reports for site moderators. */
export class MentoringOrganise extends LightElement {
  static override properties = {
    waiting: { state: true },
    reported: { state: true },
    loaded: { state: true },
    error: { state: true },
    status: { state: true },
  };

  declare waiting: Waiting[];
  declare reported: Report[] | null;
  declare loaded: boolean;
  declare error: string;
  declare status: string;
  private quizTotal = 0;

  constructor() {
    super();
    this.waiting = [];
    this.reported = null;
    this.loaded = false;
    this.error = '';
    this.status = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const role = getAccount()?.role;
      const siteStaff = role === 'moderator' || role === 'admin';
      const [mine, module, found] = await Promise.all([
        communities(),
        trainingModule(),
        siteStaff ? reports() : Promise.resolve(null),
      ]);
      this.quizTotal = module.questions.length;
      const staffOf = mine.filter((c) => c.staff);
      this.waiting = await Promise.all(
        staffOf.map(async (c) => ({ community: c, mentors: await applications(c.slug) })),
      );
      this.reported = found;
    } catch (error) {
      this.error = describeError(error);
    }
    this.loaded = true;
  }

  private decide = async (slug: string, m: Mentor, approve: boolean) => {
    this.error = '';
    try {
      await decideApplication(slug, m.id, approve);
      this.status = t(approve ? 'mentoring.organise.approved' : 'mentoring.organise.declined', {
        name: m.name,
      });
      await this.load();
    } catch (error) {
      this.error = describeError(error);
    }
  };

  private quiz(m: Mentor): string {
    if (m.quiz_score === null || m.quiz_score === undefined) return t('mentoring.organise.noQuiz');
    const key = m.trained ? 'mentoring.organise.quizPassed' : 'mentoring.organise.quizFailed';
    return t(key, { score: m.quiz_score, total: this.quizTotal });
  }

  private application(slug: string, m: Mentor) {
    return html`<li class="card">
      <h4>${m.name}</h4>
      <p>
        ${t(`mentoring.apply.role.${m.role}` as MessageKey)} · ${m.condition}${m.stage
          ? html` · ${m.stage}`
          : nothing}
      </p>
      <p class="hint">${m.languages.join(', ')} · ${m.age_band} · ${t('mentoring.organise.capacity', {
        count: m.capacity,
      })}</p>
      ${m.about ? html`<p>${m.about}</p>` : nothing}
      <p><strong>${this.quiz(m)}</strong></p>
      <p>
        <button
          class="button"
          ?disabled=${!m.trained}
          @click=${() => this.decide(slug, m, true)}
        >
          ${t('mentoring.organise.approve', { name: m.name })}
        </button>
        <button class="button button--secondary" @click=${() => this.decide(slug, m, false)}>
          ${t('mentoring.organise.decline', { name: m.name })}
        </button>
      </p>
    </li>`;
  }

  private reportList(found: Report[]) {
    return html`<h2>${t('mentoring.organise.reports')}</h2>
      ${found.length
        ? html`<ul role="list" class="cards">
            ${found.map(
              (r) => html`<li class="card">
                <p class="hint">
                  ${formatDate(r.created_at)} ${formatTime(r.created_at)} ·
                  ${t(`mentoring.status.${r.relationship_status}` as MessageKey)}
                </p>
                <p>${t('mentoring.organise.reportBy', { reporter: r.reporter, reported: r.reported })}</p>
                <blockquote>${r.reason}</blockquote>
              </li>`,
            )}
          </ul>`
        : html`<p>${t('mentoring.organise.noReports')}</p>`}`;
  }

  override render() {
    return html`
      <section class="panel" aria-labelledby="organise-heading">
        <h1 id="organise-heading">${t('mentoring.organise.title')}</h1>
        <p><a href="/mentoring">${t('mentoring.organise.back')}</a></p>
        <h2>${t('mentoring.organise.applications')}</h2>
        ${this.loaded && !this.waiting.length
          ? html`<p>${t('mentoring.organise.notOrganiser')}</p>`
          : nothing}
        ${this.waiting.map(
          (w) => html`<h3>${w.community.name}</h3>
            ${w.mentors.length
              ? html`<ul role="list" class="cards">
                  ${w.mentors.map((m) => this.application(w.community.slug, m))}
                </ul>`
              : html`<p>${t('mentoring.organise.noApplications')}</p>`}`,
        )}
        ${this.reported ? this.reportList(this.reported) : nothing}
        <p role="status">${this.status}</p>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      </section>
    `;
  }
}

customElements.define('cv-mentoring-organise', MentoringOrganise);

declare global {
  interface HTMLElementTagNameMap {
    'cv-mentoring-organise': MentoringOrganise;
  }
}
