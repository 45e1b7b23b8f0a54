import { html, nothing } from 'lit';
import { setStanding, type Mentor, type Standing } from '../../api/mentoring';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';

/** A mentor's own controls: pause or resume new matches, change capacity, or withdraw. */
export class MentorStanding extends LightElement {
  static override properties = {
    mentor: { attribute: false },
    error: { state: true },
  };

  declare mentor: Mentor;
  declare error: string;

  constructor() {
    super();
    this.error = '';
  }

  private async save(status: Standing, form: HTMLFormElement | null): Promise<void> {
    const capacity = Number(form ? new FormData(form).get('capacity') : this.mentor.capacity);
    this.error = '';
    try {
      this.mentor = await setStanding(this.mentor.id, status, capacity);
      this.dispatchEvent(new CustomEvent('standing-changed', { bubbles: true }));
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private submit = (e: Event) => {
    e.preventDefault();
    void this.save(this.mentor.status as Standing, e.target as HTMLFormElement);
  };

  private form(): HTMLFormElement | null {
    return this.querySelector('form');
  }

  override render() {
    const m = this.mentor;
    if (m.status !== 'approved' && m.status !== 'paused') {
      return m.status === 'applied'
        ? html`<button class="button button--secondary" @click=${() => this.save('withdrawn', null)}>
            ${t('mentoring.standing.withdrawApplication')}
          </button>`
        : nothing;
    }
    const id = `capacity-${m.id}`;
    return html`<form class="stack" @submit=${this.submit}>
      ${m.status === 'paused' ? html`<p>${t('mentoring.standing.pausedHint')}</p>` : nothing}
      <label for=${id}>${t('mentoring.apply.capacity')}</label>
      <input id=${id} name="capacity" type="number" min="1" max="5" .value=${String(m.capacity)} />
      <p>
        <button class="button" type="submit">${t('mentoring.standing.save')}</button>
        ${m.status === 'approved'
          ? html`<button class="button button--secondary" type="button" @click=${() => this.save('paused', this.form())}>
              ${t('mentoring.standing.pause')}
            </button>`
          : html`<button class="button" type="button" @click=${() => this.save('approved', this.form())}>
              ${t('mentoring.standing.resume')}
            </button>`}
        <button class="button button--secondary" type="button" @click=${() => this.save('withdrawn', this.form())}>
          ${t('mentoring.standing.withdraw')}
        </button>
      </p>
      ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
    </form>`;
  }
}

customElements.define('cv-mentor-standing', MentorStanding);

declare global {
  interface HTMLElementTagNameMap {
    'cv-mentor-standing': MentorStanding;
  }
}
