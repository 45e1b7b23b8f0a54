import { html } from 'lit';
import { exportRecord } from '../../api/privacy';
import { t } from '../../i18n';
import { PrivacySection } from './section';

/** How long a downloaded file's object URL lives: long enough for any browser to start saving. */
const URL_LIFETIME_MS = 60_000;

/** "Download my record": the whole record as a FHIR Bundle, saved through a Blob URL. */
export class RecordExport extends PrivacySection {
  private async download(): Promise<void> {
    let filename = '';
    const done = await this.feedback.run('export', async () => {
      const file = await exportRecord();
      filename = file.filename;
      const url = URL.createObjectURL(file.blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = file.filename;
      link.hidden = true;
      this.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), URL_LIFETIME_MS);
    });
    if (done) await this.say(t('export.done', { filename }));
  }

  override render() {
    return html`
      <section class="panel" id="export" aria-labelledby="export-title">
        <h2 id="export-title">${t('export.title')}</h2>
        <p>${t('export.intro')}</p>
        ${this.renderMessages()}
        <button
          class="button button--primary"
          type="button"
          aria-disabled=${this.busy ? 'true' : 'false'}
          @click=${this.download}
        >
          ${this.busy ? t('export.working') : t('export.button')}
        </button>
      </section>
    `;
  }
}

customElements.define('cv-record-export', RecordExport);

declare global {
  interface HTMLElementTagNameMap {
    'cv-record-export': RecordExport;
  }
}
