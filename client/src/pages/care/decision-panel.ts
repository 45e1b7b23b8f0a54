import { html, nothing } from 'lit';
import { addOption, decide, encounter, type Choice, type Option } from '../../api/care';
import { ApiError } from '../../api/http';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import './care.css';

/**
 * Shared decision-making for one encounter. The clinician presents options (a name, what could
 * help, what could go wrong); everyone sees them side by side (stacked on a narrow phone); the
 * patient (or their caregiver) writes what matters most to them and records their choice.
 * `audience`: `clinician` presents, `patient` chooses, anything else only reads.
 * `person`: the patient's first name when a caregiver has the panel; it then speaks of them.
 */
export class DecisionPanel extends LightElement {
  static override properties = {
    encounterId: { type: String, attribute: 'encounter-id' },
    audience: { type: String },
    person: { type: String },
    headingLevel: { type: Number, attribute: 'heading-level' },
    options: { state: true },
    choice: { state: true },
    selected: { state: true },
    notice: { state: true },
    error: { state: true },
  };

  declare encounterId: string;
  declare audience: string;
  declare person: string;
  declare headingLevel: number;
  declare options: Option[] | null;
  declare choice: Choice | null;
  declare selected: string;
  declare notice: string;
  declare error: string;

  constructor() {
    super();
    this.encounterId = '';
    this.audience = 'patient';
    this.person = '';
    this.headingLevel = 2;
    this.options = null;
    this.choice = null;
    this.selected = '';
    this.notice = '';
    this.error = '';
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('encounterId') && this.encounterId) void this.load();
  }

  /** Read the options and the recorded choice again (e.g. after the clinician adds one). */
  async load(): Promise<void> {
    try {
      const e = await encounter(this.encounterId);
      this.options = e.options;
      this.choice = e.choice;
      this.selected = e.choice?.option_id ?? '';
    } catch (error) {
      // Someone in the room without access to the visit record (e.g. a guest): show nothing.
      if (error instanceof ApiError && error.status === 404) this.encounterId = '';
      else this.error = describeError(error);
    }
  }

  private field(name: string): HTMLInputElement | HTMLTextAreaElement | null {
    return this.querySelector(`#${name}-${this.encounterId}`);
  }

  private async present(event: Event): Promise<void> {
    event.preventDefault();
    const name = this.field('sdm-name')?.value.trim() ?? '';
    const benefits = this.field('sdm-benefits')?.value.trim() ?? '';
    const risks = this.field('sdm-risks')?.value.trim() ?? '';
    if (!name || !benefits || !risks) {
      this.error = t('care.decide.fillAll');
      return;
    }
    try {
      await addOption(this.encounterId, { name, benefits, risks });
      (event.target as HTMLFormElement).reset();
      this.error = '';
      this.notice = t('care.decide.added', { name });
      await this.load();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async record(event: Event): Promise<void> {
    event.preventDefault();
    const matters = this.field('sdm-matters')?.value.trim() ?? '';
    try {
      this.choice = await decide(this.encounterId, {
        what_matters: matters,
        option_id: this.selected || null,
      });
      this.error = '';
      const chosen = this.options?.find((o) => o.id === this.selected);
      const person = this.person;
      if (person)
        this.notice = chosen
          ? t('care.decide.savedOther', { person, name: chosen.name })
          : t('care.decide.savedUndecidedOther', { person });
      else this.notice = chosen ? t('care.decide.saved', { name: chosen.name }) : t('care.decide.savedUndecided');
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private heading(text: string, id: string) {
    return this.headingLevel === 3
      ? html`<h3 id=${id}>${text}</h3>`
      : html`<h2 id=${id}>${text}</h2>`;
  }

  override render() {
    if (!this.encounterId) return nothing;
    const id = `sdm-title-${this.encounterId}`;
    const options = this.options ?? [];
    const chosen = options.find((o) => o.id === this.choice?.option_id);
    return html`
      <section class="care-decision" aria-labelledby=${id}>
        ${this.heading(t('care.decide.title'), id)}
        <p class="notice" role="status">${this.notice}</p>
        <p class="form-error" role="alert">${this.error}</p>
        ${this.options === null
          ? html`<p>${t('app.loading')}</p>`
          : options.length === 0
            ? html`<p>${this.audience === 'clinician' ? t('care.decide.noneClinician') : (this.person ? t('care.decide.noneOther', { person: this.person }) : t('care.decide.none'))}</p>`
            : html`<p>${t('care.decide.intro')}</p>
                <ul class="care-options" aria-label=${t('care.decide.optionsLabel')}>
                  ${options.map(
                    (o) => html`<li class="care-option ${o.id === this.choice?.option_id ? 'care-option--chosen' : ''}" data-option=${o.id}>
                      ${this.headingLevel === 3
                        ? html`<h4 class="care-option__name">${o.name}</h4>`
                        : html`<h3 class="care-option__name">${o.name}</h3>`}
                      <dl>
                        <dt>${t('care.decide.benefits')}</dt>
                        <dd>${o.benefits}</dd>
                        <dt>${t('care.decide.risks')}</dt>
                        <dd>${o.risks}</dd>
                      </dl>
                      ${o.id === this.choice?.option_id ? html`<p class="care-status">${t('care.decide.chosenMark')}</p>` : nothing}
                    </li>`,
                  )}
                </ul>`}
        ${this.audience === 'patient' && options.length ? this.renderChoose() : nothing}
        ${this.audience !== 'patient' && this.choice
          ? html`<div class="care-choice">
              <p><strong>${t('care.decide.patientChose')}</strong> ${chosen ? chosen.name : t('care.decide.undecided')}</p>
              ${this.choice.what_matters
                ? html`<p><strong>${t('care.decide.whatMattersShown')}</strong> ${this.choice.what_matters}</p>`
                : nothing}
            </div>`
          : nothing}
        ${this.audience !== 'patient' && options.length
          ? html`<p><button class="button button--quiet" type="button" @click=${() => this.load()}>${t('care.decide.refresh')}</button></p>`
          : nothing}
        ${this.audience === 'clinician' ? this.renderPresent() : nothing}
      </section>
    `;
  }

  private renderChoose() {
    const e = this.encounterId;
    const person = this.person;
    return html`
      <form class="care-choose" @submit=${(ev: Event) => this.record(ev)}>
        <div class="field">
          <label for="sdm-matters-${e}">${person ? t('care.decide.whatMattersOther', { person }) : t('care.decide.whatMatters')}</label>
          <textarea id="sdm-matters-${e}" rows="3" maxlength="8000" .value=${this.choice?.what_matters ?? ''}></textarea>
          <p class="field-hint">${t('care.decide.whatMattersHint')}</p>
        </div>
        <fieldset>
          <legend>${person ? t('care.decide.choiceOther', { person }) : t('care.decide.myChoice')}</legend>
          ${(this.options ?? []).map(
            (o) => html`<label class="care-radio">
              <input
                type="radio"
                name="sdm-choice-${e}"
                value=${o.id}
                .checked=${this.selected === o.id}
                @change=${() => (this.selected = o.id)}
              />
              ${o.name}
            </label>`,
          )}
          <label class="care-radio">
            <input
              type="radio"
              name="sdm-choice-${e}"
              value=""
              .checked=${this.selected === ''}
              @change=${() => (this.selected = '')}
            />
            ${person ? t('care.decide.notYetOther', { person }) : t('care.decide.notYet')}
          </label>
        </fieldset>
        <button class="button button--primary" type="submit" id="sdm-save-${e}">${person ? t('care.decide.saveOther', { person }) : t('care.decide.save')}</button>
      </form>
    `;
  }

  private renderPresent() {
    const e = this.encounterId;
    return html`
      <form class="care-present" @submit=${(ev: Event) => this.present(ev)}>
        <fieldset>
          <legend>${t('care.decide.present')}</legend>
          <div class="field">
            <label for="sdm-name-${e}">${t('care.decide.name')}</label>
            <input id="sdm-name-${e}" maxlength="500" />
          </div>
          <div class="field">
            <label for="sdm-benefits-${e}">${t('care.decide.benefitsField')}</label>
            <textarea id="sdm-benefits-${e}" rows="2" maxlength="4000"></textarea>
          </div>
          <div class="field">
            <label for="sdm-risks-${e}">${t('care.decide.risksField')}</label>
            <textarea id="sdm-risks-${e}" rows="2" maxlength="4000"></textarea>
          </div>
          <button class="button button--secondary" type="submit" id="sdm-add-${e}">${t('care.decide.add')}</button>
        </fieldset>
      </form>
    `;
  }
}

customElements.define('cv-decision-panel', DecisionPanel);

declare global {
  interface HTMLElementTagNameMap {
    'cv-decision-panel': DecisionPanel;
  }
}
