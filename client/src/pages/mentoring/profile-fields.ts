import { html } from 'lit';
import { communities, type Community } from '../../api/community';
import { AGE_BANDS, DAYS, PARTS } from '../../api/mentoring';
import { t, type MessageKey } from '../../i18n';

/** What both a mentor's application and a mentee's search ask: the same fields, read from a form. */
export interface ProfileValues {
  community: string;
  condition: string;
  stage: string;
  languages: string[];
  age_band: string;
  availability: string[];
}

export async function readableCommunities(): Promise<Community[]> {
  return communities();
}

export function readProfile(form: HTMLFormElement): ProfileValues {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? '').trim();
  return {
    community: text('community'),
    condition: text('condition'),
    stage: text('stage'),
    languages: text('languages')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
    age_band: text('age_band'),
    availability: data.getAll('availability').map(String),
  };
}

/** The shared fields; ``prefix`` keeps ids unique when two forms are on a page. */
export function profileFields(prefix: string, choices: Community[]) {
  const id = (name: string) => `${prefix}-${name}`;
  return html`
    <label for=${id('community')}>${t('mentoring.community')}</label>
    <select id=${id('community')} name="community" required>
      ${choices.map((c) => html`<option value=${c.slug}>${c.name}</option>`)}
    </select>
    <label for=${id('condition')}>${t('mentoring.condition')}</label>
    <input id=${id('condition')} name="condition" required maxlength="80" />
    <label for=${id('stage')}>${t('mentoring.stage')}</label>
    <input id=${id('stage')} name="stage" maxlength="80" />
    <label for=${id('languages')}>${t('mentoring.languages')}</label>
    <input id=${id('languages')} name="languages" required maxlength="60" value="en" />
    <label for=${id('age')}>${t('mentoring.ageBand')}</label>
    <select id=${id('age')} name="age_band">
      ${AGE_BANDS.map((b) => html`<option value=${b}>${b}</option>`)}
    </select>
    <fieldset class="slots">
      <legend>${t('mentoring.availability')}</legend>
      ${DAYS.map((day) =>
        PARTS.map(
          (part) => html`<label class="slot">
            <input type="checkbox" name="availability" value=${`${day}-${part}`} />
            ${t('mentoring.slot', {
              day: t(`mentoring.day.${day}` as MessageKey),
              part: t(`mentoring.part.${part}` as MessageKey),
            })}
          </label>`,
        ),
      )}
    </fieldset>
  `;
}
