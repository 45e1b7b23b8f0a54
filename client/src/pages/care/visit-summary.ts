/**
 * The visit summary a patient reads after a consultation: in plain words, with what was chosen.
 * `person` (a first name) when a caregiver reads it: then it speaks of them ("Amara's visit").
 */
import { html, nothing } from 'lit';
import type { Summary } from '../../api/care';
import { t } from '../../i18n';

export function renderVisitSummary(s: Summary, back: () => void, person?: string) {
  const chosen = s.options.find((o) => o.id === s.choice?.option_id);
  return html`
    <section aria-labelledby="care-summary" class="care-summary">
      <h2 id="care-summary">${person
        ? t('care.summary.titleOther', { person, name: s.clinician_name })
        : t('care.summary.title', { name: s.clinician_name })}</h2>
      ${s.summary ? html`<p>${s.summary}</p>` : html`<p>${person ? t('care.summary.notYetOther', { person }) : t('care.summary.notYet')}</p>`}
      ${s.problems.length
        ? html`<h3>${t('care.summary.problems')}</h3>
            <ul>${s.problems.map((p) => html`<li>${p}</li>`)}</ul>`
        : nothing}
      ${s.follow_up ? html`<h3>${t('care.summary.followUp')}</h3><p>${s.follow_up}</p>` : nothing}
      ${chosen ? html`<h3>${person ? t('care.summary.choiceOther', { person }) : t('care.summary.choice')}</h3><p>${chosen.name}</p>` : nothing}
      <p><button class="button button--quiet" @click=${back}>${t('care.back')}</button></p>
    </section>
  `;
}
