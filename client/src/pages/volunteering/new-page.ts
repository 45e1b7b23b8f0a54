import { html, nothing } from 'lit';
import { communities, type Community } from '../../api/community';
import { postOpportunity } from '../../api/volunteering';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { navigate } from '../../router';

/** An organiser (a community's facilitators and moderators) posts a volunteering opportunity. */
export class VolunteeringNew extends LightElement {
  static override properties = {
    choices: { state: true },
    loaded: { state: true },
    error: { state: true },
  };

  declare choices: Community[];
  declare loaded: boolean;
  declare error: string;

  constructor() {
    super();
    this.choices = [];
    this.loaded = false;
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.choices = (await communities()).filter((c) => c.staff);
    } catch (error) {
      this.error = describeError(error);
    }
    this.loaded = true;
  }

  private submit = async (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    this.error = '';
    try {
      const made = await postOpportunity(text('community'), text('title'), text('description'));
      navigate(`/volunteering/${made.id}`);
    } catch (error) {
      this.error = describeError(error);
    }
  };

  private form() {
    return html`<form class="stack" @submit=${this.submit}>
      <label for="vol-community">${t('volunteering.new.community')}</label>
      <select id="vol-community" name="community" required>
        ${this.choices.map((c) => html`<option value=${c.slug}>${c.name}</option>`)}
      </select>
      <label for="vol-title">${t('volunteering.new.titleField')}</label>
      <input id="vol-title" name="title" required minlength="3" maxlength="120" />
      <p class="hint" id="vol-title-hint">${t('volunteering.new.titleHint')}</p>
      <label for="vol-description">${t('volunteering.new.description')}</label>
      <textarea id="vol-description" name="description" maxlength="2000"></textarea>
      <p><button class="button" type="submit">${t('volunteering.new.submit')}</button></p>
    </form>`;
  }

  override render() {
    return html`
      <section class="panel" aria-labelledby="vol-new-heading">
        <h1 id="vol-new-heading">${t('volunteering.new.title')}</h1>
        <p><a href="/volunteering">${t('volunteering.back')}</a></p>
        ${this.loaded && !this.choices.length
          ? html`<p>${t('volunteering.new.notOrganiser')}</p>`
          : nothing}
        ${this.choices.length ? this.form() : nothing}
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      </section>
    `;
  }
}

customElements.define('cv-volunteering-new', VolunteeringNew);

declare global {
  interface HTMLElementTagNameMap {
    'cv-volunteering-new': VolunteeringNew;
  }
}
