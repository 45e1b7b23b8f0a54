import { html, nothing } from 'lit';
import { catalogue, runs, type Catalogue, type RunBrief } from '../../api/training';
import { createSpace, listSpaces, type Space } from '../../api/world';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import './training.css';
import { formatDate, formatTime } from '../../i18n/format';
import { navigate } from '../../router';
import { getAccount } from '../../session';

/**
 * Training: the scenarios, the training labs one may enter (an instructor opens a new one), and
 * one's past runs with their debriefs.
 */
export class TrainingPage extends LightElement {
  static override properties = {
    options: { state: true },
    labs: { state: true },
    past: { state: true },
    error: { state: true },
  };

  declare options: Catalogue | null;
  declare labs: Space[];
  declare past: RunBrief[];
  declare error: string;

  constructor() {
    super();
    this.options = null;
    this.labs = [];
    this.past = [];
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [found, spaces, mine] = await Promise.all([catalogue(), listSpaces(), runs()]);
      this.options = found;
      this.labs = spaces.filter((s) => s.template === 'training-lab');
      this.past = mine;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async open(event: Event): Promise<void> {
    event.preventDefault();
    const name = String(new FormData(event.target as HTMLFormElement).get('name') ?? '').trim();
    try {
      const space = await createSpace({
        name: name || t('training.defaultLabName'),
        template: 'training-lab',
        access: 'members',
      });
      navigate(`/training/lab/${space.id}`);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  override render() {
    const instructor = getAccount()?.role === 'clinician';
    return html`
      <section class="training-page" aria-labelledby="training-heading">
        <h1 id="training-heading">${t('training.title')}</h1>
        <p>${t('training.intro')}</p>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        <h2>${t('training.labs')}</h2>
        ${this.labs.length
          ? html`<ul role="list" class="cards">
              ${this.labs.map(
                (lab) => html`<li class="card">
                  <a href=${`/training/lab/${lab.id}`}>${t('training.enterLab', { name: lab.name })}</a>
                </li>`,
              )}
            </ul>`
          : html`<p>${t('training.noLabs')}</p>`}
        ${instructor
          ? html`<form class="lab-act" @submit=${(e: Event) => void this.open(e)}>
              <label for="training-lab-name">${t('training.labName')}</label>
              <input id="training-lab-name" name="name" maxlength="80" />
              <button type="submit">${t('training.openLab')}</button>
            </form>
            <p><a href="/training/author">${t('author.link')}</a></p>`
          : nothing}
        <p><a href="/training/lessons">${t('lesson.link')}</a></p>
        <h2>${t('training.scenarios')}</h2>
        <ul role="list" class="cards">
          ${(this.options?.scenarios ?? []).map(
            (s) => html`<li class="card">
              <h3>${s.title}</h3>
              <p>${s.summary}</p>
              <p>${t('training.minutes', { minutes: Math.round(s.duration_s / 60) })}</p>
            </li>`,
          )}
        </ul>
        <h2>${t('training.myRuns')}</h2>
        ${this.past.length
          ? html`<ul role="list" class="cards">
              ${this.past.map(
                (r) => html`<li class="card">
                  <a href=${`/training/runs/${r.id}`}>
                    ${t('training.runLine', {
                      title: r.title,
                      when: `${formatDate(r.ended_at)} ${formatTime(r.ended_at)}`,
                      total: r.total,
                    })}
                  </a>
                </li>`,
              )}
            </ul>`
          : html`<p>${t('training.noRuns')}</p>`}
      </section>
    `;
  }
}

customElements.define('cv-training-page', TrainingPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-training-page': TrainingPage;
  }
}
