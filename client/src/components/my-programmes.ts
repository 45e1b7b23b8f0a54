import { html, nothing } from 'lit';
import { myProgrammes, type MyProgramme } from '../api/programmes';
import { LoadingController } from '../controllers/loading';
import { t } from '../i18n';
import { formatDate } from '../i18n/format';
import { LightElement } from './light-element';

/** The patient's own care programmes, on their home page (nothing when there are none). */
export class MyProgrammes extends LightElement {
  private mine = new LoadingController(this, () => myProgrammes());

  private renderOne(p: MyProgramme) {
    return html`<li class="area-card">
      <h3 class="area-card__title">${p.name}</h3>
      <p class="area-card__description">${p.description}</p>
      <p class="area-card__description">
        ${p.active
          ? t('programmes.since', { date: formatDate(p.enrolled_at) })
          : t('programmes.mineEnded', { date: formatDate(p.ended_at ?? p.enrolled_at) })}
      </p>
    </li>`;
  }

  override render() {
    return this.mine.render((list) =>
      list.length === 0
        ? nothing
        : html`<section class="areas" aria-labelledby="my-programmes-title">
            <h2 id="my-programmes-title">${t('programmes.mineHeading')}</h2>
            <ul class="area-grid" role="list">
              ${list.map((p) => this.renderOne(p))}
            </ul>
          </section>`,
    );
  }
}

customElements.define('cv-my-programmes', MyProgrammes);

declare global {
  interface HTMLElementTagNameMap {
    'cv-my-programmes': MyProgrammes;
  }
}
