import { html, nothing } from 'lit';
import type { Community } from '../../api/community';
import {
  GENDERS,
  apply,
  myApplications,
  takeQuiz,
  trainingModule,
  type Mentor,
  type Module,
  type QuizResult,
} from '../../api/mentoring';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import './mentor-standing';
import { profileFields, readProfile, readableCommunities } from './profile-fields';

/** Become a mentor or peer educator: apply, then the training module and its quiz. */
export class MentoringApply extends LightElement {
  static override properties = {
    choices: { state: true },
    mine: { state: true },
    module: { state: true },
    result: { state: true },
    quizFor: { state: true },
    error: { state: true },
  };

  declare choices: Community[];
  declare mine: Mentor[];
  declare module: Module | null;
  declare result: QuizResult | null;
  declare quizFor: string;
  declare error: string;

  constructor() {
    super();
    this.choices = [];
    this.mine = [];
    this.module = null;
    this.result = null;
    this.quizFor = '';
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      [this.choices, this.mine, this.module] = await Promise.all([
        readableCommunities(),
        myApplications(),
        trainingModule(),
      ]);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async refresh(): Promise<void> {
    this.mine = await myApplications();
  }

  private submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const p = readProfile(form);
    const data = new FormData(form);
    this.error = '';
    try {
      await apply(p.community, {
        condition: p.condition,
        stage: p.stage,
        languages: p.languages,
        age_band: p.age_band,
        availability: p.availability,
        gender: String(data.get('gender')),
        capacity: Number(data.get('capacity')),
        role: data.get('role') === 'educator' ? 'educator' : 'mentor',
        about: String(data.get('about') ?? ''),
      });
      this.quizFor = p.community;
      this.mine = await myApplications();
    } catch (error) {
      this.error = describeError(error);
    }
  };

  private answer = async (e: Event) => {
    e.preventDefault();
    if (!this.module) return;
    const data = new FormData(e.target as HTMLFormElement);
    const answers = this.module.questions.map((_q, i) => {
      const chosen = data.get(`q${i}`);
      return chosen === null ? [] : [Number(chosen)];
    });
    try {
      this.result = await takeQuiz(this.quizFor, answers);
      this.mine = await myApplications();
    } catch (error) {
      this.error = describeError(error);
    }
  };

  private quiz(m: Module) {
    return html`
      <form class="stack" @submit=${this.answer} aria-labelledby="quiz-heading">
        <h2 id="quiz-heading">${t('mentoring.quiz.title', { title: m.title })}</h2>
        <p>${m.body}</p>
        ${m.questions.map(
          (q, i) => html`<fieldset>
            <legend>${q.prompt}</legend>
            ${q.options.map(
              (o, j) => html`<label><input type="radio" name=${`q${i}`} value=${j} required /> ${o}</label>`,
            )}
          </fieldset>`,
        )}
        <p><button class="button" type="submit">${t('mentoring.quiz.submit')}</button></p>
        ${this.result
          ? html`<p role="status">
              ${t('mentoring.quiz.result', { score: this.result.score, total: this.result.total })}
              ${this.result.passed ? t('mentoring.quiz.passed') : t('mentoring.quiz.failed')}
            </p>`
          : nothing}
      </form>
    `;
  }

  override render() {
    return html`
      <section class="panel" aria-labelledby="apply-heading">
        <h1 id="apply-heading">${t('mentoring.apply.title')}</h1>
        ${this.mine.length
          ? html`<h2>${t('mentoring.apply.mine')}</h2>
              <ul role="list">
                ${this.mine.map(
                  (m) => html`<li>
                    ${t('mentoring.apply.state', {
                      role: t(`mentoring.apply.role.${m.role}` as MessageKey),
                      status: t(`mentoring.apply.status.${m.status}` as MessageKey),
                    })}
                    ${m.trained ? html` · ${t('mentoring.apply.trained')}` : nothing}
                    <cv-mentor-standing
                      .mentor=${m}
                      @standing-changed=${() => void this.refresh()}
                    ></cv-mentor-standing>
                  </li>`,
                )}
              </ul>`
          : nothing}
        ${this.quizFor && this.module
          ? this.quiz(this.module)
          : html`<form class="stack" @submit=${this.submit} aria-labelledby="form-heading">
              <h2 id="form-heading">${t('mentoring.apply.role')}</h2>
              <fieldset>
                <legend>${t('mentoring.apply.role')}</legend>
                <label><input type="radio" name="role" value="mentor" checked /> ${t('mentoring.apply.role.mentor')}</label>
                <label><input type="radio" name="role" value="educator" /> ${t('mentoring.apply.role.educator')}</label>
              </fieldset>
              ${profileFields('apply', this.choices)}
              <label for="apply-gender">${t('mentoring.gender')}</label>
              <select id="apply-gender" name="gender">
                ${GENDERS.map((g) => html`<option value=${g}>${t(`mentoring.gender.${g}`)}</option>`)}
              </select>
              <label for="apply-capacity">${t('mentoring.apply.capacity')}</label>
              <input id="apply-capacity" name="capacity" type="number" min="1" max="5" value="1" />
              <label for="apply-about">${t('mentoring.apply.about')}</label>
              <textarea id="apply-about" name="about" maxlength="1000"></textarea>
              <p><button class="button" type="submit">${t('mentoring.apply.submit')}</button></p>
            </form>`}
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      </section>
    `;
  }
}

customElements.define('cv-mentoring-apply', MentoringApply);

declare global {
  interface HTMLElementTagNameMap {
    'cv-mentoring-apply': MentoringApply;
  }
}
