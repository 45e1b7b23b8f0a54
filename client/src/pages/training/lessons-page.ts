import { html } from 'lit';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { LESSONS } from './lessons';
import './lesson-view';

/** Anatomy lessons alone: the list of models, and the chosen one explorable with its quiz. */
export class LessonsPage extends LightElement {
  static override properties = { model: { type: String } };

  declare model: string;

  constructor() {
    super();
    this.model = '';
  }

  override render() {
    const model = LESSONS.some((lesson) => lesson.model === this.model) ? this.model : 'heart';
    return html`
      <section class="lessons-page" aria-labelledby="lessons-heading">
        <h1 id="lessons-heading">${t('lesson.listTitle')}</h1>
        <p>${t('lesson.listIntro')}</p>
        <nav aria-labelledby="lessons-heading">
          <ul role="list" class="lesson-links">
            ${LESSONS.map(
              (lesson) => html`<li>
                <a href=${`/training/lessons/${lesson.model}`} aria-current=${lesson.model === model ? 'page' : 'false'}>${t(lesson.title)}</a>
              </li>`,
            )}
          </ul>
        </nav>
        <cv-anatomy-lesson .model=${model}></cv-anatomy-lesson>
      </section>
    `;
  }
}

customElements.define('cv-lessons-page', LessonsPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-lessons-page': LessonsPage;
  }
}
