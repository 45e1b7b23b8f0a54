import { html } from 'lit';
import { exportReadableRecord, exportRecord } from '../../api/privacy';
import type { DownloadedFile } from '../../api/http';
import { saveFile } from '../../components/save-file';
import { t } from '../../i18n';
import { PrivacySection } from './section';

/**
 * "Download my record": the whole record as a FHIR Bundle, or as a readable HTML document to
 * keep or print, saved through a Blob URL.
 */
export class RecordExport extends PrivacySection {
  private async download(name: string, fetch: () => Promise<DownloadedFile>): Promise<void> {
    let filename = '';
    const done = await this.feedback.run(name, async () => {
      const file = await fetch();
      filename = file.filename;
      saveFile(file, this);
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
          @click=${() => this.download('export', exportRecord)}
        >
          ${this.busy === 'export' ? t('export.working') : t('export.button')}
        </button>
        <p>${t('export.readableIntro')}</p>
        <button
          class="button button--secondary"
          type="button"
          aria-disabled=${this.busy ? 'true' : 'false'}
          @click=${() => this.download('readable', exportReadableRecord)}
        >
          ${this.busy === 'readable' ? t('export.working') : t('export.readableButton')}
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
