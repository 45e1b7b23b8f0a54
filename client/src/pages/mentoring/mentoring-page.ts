import { html, nothing } from 'lit';
import type { Community } from '../../api/community';
import {
  GENDERS,
  askMentor,
  findMatches,
  relationships,
  type Match,
  type Need,
  type Relationship,
} from '../../api/mentoring';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { navigate } from '../../router';
import { profileFields, readProfile, readableCommunities } from './profile-fields';

export function reasonText(code: string, detail: string): string {
  return t(`mentoring.reason.${code}` as MessageKey, { detail });
}

/** Mentoring: my mentor and my mentees, and finding a mentor (the matches with their reasons). */
export class MentoringPage extends LightElement {
  static override properties = {
    mine: { state: true },
    choices: { state: true },
    offers: { state: true },
    searched: { state: true },
    error: { state: true },
  };

  declare mine: Relationship[];
  declare choices: Community[];
  declare offers: Match[];
  declare searched: boolean;
  declare error: string;
  private need: Need | null = null;
  private community = '';
  private goal = '';

  constructor() {
    super();
    this.mine = [];
    this.choices = [];
    this.offers = [];
    this.searched = false;
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      [this.mine, this.choices] = await Promise.all([relationships(), readableCommunities()]);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private find = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const p = readProfile(form);
    const data = new FormData(form);
    this.need = {
      condition: p.condition,
      stage: p.stage,
      languages: p.languages,
      age_band: p.age_band,
      availability: p.availability,
      gender_preference: String(data.get('gender_preference') ?? ''),
    };
    this.community = p.community;
    this.goal = String(data.get('goal') ?? '').trim();
    this.error = '';
    try {
      this.offers = await findMatches(this.community, this.need);
      this.searched = true;
    } catch (error) {
      this.error = describeError(error);
    }
  };

  private ask = async (m: Match) => {
    if (!this.need) return;
    try {
      const goals = this.goal ? [this.goal] : [];
      const rel = await askMentor(this.community, m.mentor_id, this.need, goals);
      navigate(`/mentoring/relationships/${rel.id}`);
    } catch (error) {
      this.error = describeError(error);
    }
  };

  private match(m: Match) {
    return html`<li class="card">
      <h3>${m.name}</h3>
      <p class="hint">${t('mentoring.find.score', { score: m.score })}</p>
      ${m.about ? html`<p>${m.about}</p>` : nothing}
      <h4>${t('mentoring.find.why')}</h4>
      <ul class="reasons">
        ${m.reasons.map((r) => html`<li>${reasonText(r.code, r.detail)}</li>`)}
      </ul>
      <p>
        <button class="button" @click=${() => this.ask(m)}>
          ${t('mentoring.find.ask', { name: m.name })}
        </button>
      </p>
    </li>`;
  }

  override render() {
    return html`
      <section class="panel" aria-labelledby="mentoring-heading">
        <h1 id="mentoring-heading">${t('mentoring.title')}</h1>
        <p class="lead">${t('mentoring.intro')}</p>
        <h2>${t('mentoring.mine')}</h2>
        ${this.mine.length
          ? html`<ul role="list" class="cards">
              ${this.mine.map(
                (r) => html`<li class="card">
                  <a href=${`/mentoring/relationships/${r.id}`}
                    >${t(`mentoring.side.${r.my_side}`, { name: r.other })}</a
                  >
                  · ${t(`mentoring.status.${r.status}` as MessageKey)}
                </li>`,
              )}
            </ul>`
          : html`<p>${t('mentoring.none')}</p>`}
        <p><a href="/mentoring/apply">${t('mentoring.apply.title')}</a></p>
        <p>
          <a href="/mentoring/organise">${t('mentoring.organise.title')}</a> ·
          <a href="/volunteering">${t('volunteering.title')}</a>
        </p>
        <form class="stack" @submit=${this.find} aria-labelledby="find-heading">
          <h2 id="find-heading">${t('mentoring.find.title')}</h2>
          ${profileFields('find', this.choices)}
          <label for="find-gender">${t('mentoring.genderPreference')}</label>
          <select id="find-gender" name="gender_preference">
            <option value="">${t('mentoring.noPreference')}</option>
            ${GENDERS.filter((g) => g !== 'unspecified').map(
              (g) => html`<option value=${g}>${t(`mentoring.gender.${g}`)}</option>`,
            )}
          </select>
          <label for="find-goal">${t('mentoring.find.goal')}</label>
          <input id="find-goal" name="goal" maxlength="300" />
          <p><button class="button" type="submit">${t('mentoring.find.submit')}</button></p>
        </form>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        <div aria-live="polite">
          ${this.searched && !this.offers.length
            ? html`<p>${t('mentoring.find.none')}</p>`
            : nothing}
          <ul role="list" class="cards">
            ${this.offers.map((m) => this.match(m))}
          </ul>
        </div>
      </section>
    `;
  }
}

customElements.define('cv-mentoring', MentoringPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-mentoring': MentoringPage;
  }
}
