/**
 * The booking confirmation's interpreter offer: shown when the patient's language is not one the
 * chosen clinician speaks (docs/care.md, Interpreters). A checked box books the visit with an
 * interpreter, who is invited into the consult room.
 */
import { html, nothing } from 'lit';
import type { InterpreterOffer } from '../../api/interpreters';
import { t } from '../../i18n';
import { formattingLocale } from '../../i18n/format';

function languageName(tag: string): string {
  try {
    return new Intl.DisplayNames([formattingLocale()], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

export function renderInterpreterOffer(offer: InterpreterOffer | null) {
  if (!offer || !offer.needed || !offer.language) return nothing;
  const language = languageName(offer.language);
  return html`<div class="field care-interpreter">
    <label class="care-radio">
      <input
        type="checkbox"
        id="care-interpreter"
        aria-describedby="care-interpreter-hint"
        ?disabled=${!offer.available}
        .checked=${offer.available}
      />
      ${t('care.interpreter.offer', { language })}
    </label>
    <p class="field-hint" id="care-interpreter-hint">
      ${offer.available ? t('care.interpreter.hint') : t('care.interpreter.noneFree', { language })}
    </p>
  </div>`;
}
