import { html, nothing } from 'lit';
import { certificateUrl, myRecord, type RecordLine } from '../../api/volunteering';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { formatNumber } from '../../i18n/format';

export function hoursText(minutes: number): string {
  return t('volunteering.hours', { hours: formatNumber(minutes / 60, { maximumFractionDigits: 2 }) });
}

/** My volunteering: confirmed hours per opportunity, and the certificate (PDF). */
export class VolunteeringMine extends LightElement {
  static override properties = {
    lines: { state: true },
    loaded: { state: true },
    error: { state: true },
  };

  declare lines: RecordLine[];
  declare loaded: boolean;
  declare error: string;

  constructor() {
    super();
    this.lines = [];
    this.loaded = false;
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.lines = await myRecord();
    } catch (error) {
      this.error = describeError(error);
    }
    this.loaded = true;
  }

  override render() {
    const total = this.lines.reduce((sum, line) => sum + line.minutes, 0);
    return html`
      <section class="panel" aria-labelledby="vol-me-heading">
        <h1 id="vol-me-heading">${t('volunteering.me.title')}</h1>
        <p><a href="/volunteering">${t('volunteering.back')}</a></p>
        ${this.loaded && !this.lines.length ? html`<p>${t('volunteering.me.none')}</p>` : nothing}
        ${this.lines.length
          ? html`<h2>${t('volunteering.me.confirmed')}</h2>
              <ul role="list">
                ${this.lines.map((l) => html`<li>${l.title}: ${hoursText(l.minutes)}</li>`)}
              </ul>
              <p><strong>${t('volunteering.me.total', { hours: hoursText(total) })}</strong></p>
              <p>
                <a class="button" href=${certificateUrl()} download="volunteering.pdf"
                  >${t('volunteering.me.certificate')}</a
                >
              </p>`
          : nothing}
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      </section>
    `;
  }
}

customElements.define('cv-volunteering-me', VolunteeringMine);

declare global {
  interface HTMLElementTagNameMap {
    'cv-volunteering-me': VolunteeringMine;
  }
}
