/** A NEWS2 score as the clinician sees it: the number, its band in words, what it lacks. */
import { html, nothing } from 'lit';
import type { News2 } from '../../api/monitoring';
import { t } from '../../i18n';
import { parameterName, riskText, shortListOf } from './vitals';

/** The score and its band, then (for a partial score) the parameters it was computed without. */
export function renderNews2Risk(score: Pick<News2, 'risk' | 'total' | 'partial' | 'missing'>) {
  return html`
    <p class="risk risk--${score.risk ?? 'unknown'}">
      <span class="risk__label">${t('news2.label')}</span>
      <span class="risk__total">${score.total ?? '—'}</span>
      <span class="risk__text"
        >${score.total === null ? t('news2.noScore') : riskText(score.risk)}</span
      >
    </p>
    ${
      score.partial
        ? html`<p class="news2__partial">
            ${
              score.missing.length > 0
                ? t('news2.partialMissing', {
                    missing: shortListOf(score.missing.map(parameterName)),
                  })
                : t('news2.partial')
            }
          </p>`
        : nothing
    }
  `;
}
