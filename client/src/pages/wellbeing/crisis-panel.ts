import { html, nothing, type TemplateResult } from 'lit';
import type { CrisisPath } from '../../api/wellbeing';
import { t } from '../../i18n';

/**
 * The crisis screen a patient sees at once when what they answered or wrote takes the crisis
 * path: the site's crisis resources and whether their care team was told. One component for the
 * questionnaires and self-help (thought records, activity notes); `extra` is what the page adds
 * (the questionnaires offer the C-SSRS screener).
 */
export function crisisPanel(crisis: CrisisPath, extra: TemplateResult | typeof nothing = nothing) {
  const resources = crisis.resources;
  return html`
    <section class="panel crisis" role="alert" aria-labelledby="crisis-title">
      <h2 id="crisis-title" tabindex="-1">${t('wellbeing.crisis.title')}</h2>
      <p lang=${resources.language}>${resources.text}</p>
      <p class="crisis-phone" lang=${resources.language}><strong>${resources.phone}</strong></p>
      ${resources.url ? html`<p><a href=${resources.url} rel="noopener">${resources.url}</a></p>` : nothing}
      <p>${t(crisis.care_team_alerted ? 'wellbeing.crisis.teamTold' : 'wellbeing.crisis.noTeam')}</p>
      ${extra}
    </section>
  `;
}
