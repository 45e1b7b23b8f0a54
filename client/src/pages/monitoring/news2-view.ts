/** A NEWS2 score as the clinician sees it: the number, its band in words, what it lacks. */
import { html, nothing } from 'lit';
import type { News2 } from '../../api/monitoring';
import { t } from '../../i18n';
import { formatTime } from '../../i18n/format';
import { formatAgo, parameterName, riskText, shortListOf } from './vitals';

/**
 * The score and its band, then (for a partial score) the parameters it was computed without.
 * Beside alerts that name the score that raised them ("NEWS2 13 — high risk", with the time
 * of its readings), the patient's current score is labelled "Latest NEWS2" with its time, so
 * two figures on one screen never read as one contradicting the other.
 */
export function renderNews2Risk(score: Pick<News2, 'risk' | 'total' | 'partial' | 'missing'>) {
  return html`
    <p class="risk risk--${score.risk ?? 'unknown'}">
      <span class="risk__label">${t('news2.latestLabel')}</span>
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

/** "scored at 10:42 (5 minutes ago)": when the latest score's readings were taken. */
export function news2Time(at: string | null | undefined) {
  return at
    ? html`<p class="news2__at">${t('news2.scoredAt', { time: formatTime(at), ago: formatAgo(at) })}</p>`
    : nothing;
}
