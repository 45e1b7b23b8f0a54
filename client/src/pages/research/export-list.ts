import { html, nothing } from 'lit';
import { approveExport, exportFile, exports, type Export, type Study } from '../../api/research';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { formatDate } from '../../i18n/format';
import { CHANGED } from './cohort-builder';

const URL_LIFETIME_MS = 60_000;

interface Report {
  k?: number | null;
  k_required?: number;
  l?: number | null;
  l_required?: number | null;
  rows?: number;
  quasi_identifiers?: string[];
  passed?: boolean;
}

interface ManifestFile {
  name: string;
  count: number;
}

/** A study's exports: status, the k/l report, approval (the approver) and the files. */
export class ResearchExportList extends LightElement {
  static override properties = {
    study: { attribute: false },
    list: { state: true },
    error: { state: true },
  };

  declare study: Study | null;
  declare list: Export[];
  declare error: string;

  constructor() {
    super();
    this.study = null;
    this.list = [];
    this.error = '';
  }

  private reload = () => void this.load();

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener(CHANGED, this.reload);
    void this.load();
  }

  override disconnectedCallback(): void {
    window.removeEventListener(CHANGED, this.reload);
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    if (!this.study) return;
    try {
      this.list = (await exports(this.study.id)).reverse();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private approve = async (e: Export) => {
    if (!this.study) return;
    try {
      await approveExport(this.study.id, e.id);
      await this.load();
    } catch (error) {
      this.error = describeError(error);
    }
  };

  private async save(e: Export, name: string): Promise<void> {
    if (!this.study) return;
    try {
      const file = await exportFile(this.study.id, e.id, name);
      const url = URL.createObjectURL(file.blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = file.filename;
      link.hidden = true;
      this.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), URL_LIFETIME_MS);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private report(raw: Record<string, unknown>) {
    const r = raw as Report;
    if (r.k === undefined) return nothing;
    return html`<h4>${t('research.report.title')}</h4>
      <ul class="export-report">
        <li>${t('research.report.k', { k: r.k ?? 0, required: r.k_required ?? 0 })}</li>
        ${r.l_required
          ? html`<li>${t('research.report.l', { l: r.l ?? 0, required: r.l_required })}</li>`
          : nothing}
        <li>${t('research.report.rows', { rows: r.rows ?? 0 })}</li>
        <li>${t('research.report.quasi', { names: (r.quasi_identifiers ?? []).join(', ') })}</li>
        <li>${r.passed ? t('research.report.passed') : t('research.report.failed')}</li>
      </ul>`;
  }

  private files(e: Export) {
    const manifest = e.manifest as { files?: ManifestFile[]; patients?: number; pseudonymKeyId?: string } | null;
    if (!manifest?.files) return nothing;
    return html`<p>${t('research.manifest.patients', { count: manifest.patients ?? 0 })}</p>
      <p class="hint">${t('research.manifest.key', { id: manifest.pseudonymKeyId ?? '' })}</p>
      <ul role="list">
        ${manifest.files.map(
          (f) => html`<li>
            <button class="button button--secondary" type="button" @click=${() => this.save(e, f.name)}>
              ${t('research.exports.download', { name: f.name, count: f.count })}
            </button>
          </li>`,
        )}
      </ul>`;
  }

  private item(e: Export) {
    return html`<li class="card">
      <h3>${t('research.exports.item', { date: formatDate(e.requested_at) })}</h3>
      <p>${t(`research.export.status.${e.status}` as MessageKey)}</p>
      ${e.reason ? html`<p>${t('research.exports.reason', { reason: e.reason })}</p>` : nothing}
      ${this.report(e.report)}
      ${this.study?.to_approve && e.status === 'awaiting-approval'
        ? html`<p>
            <button class="button" type="button" @click=${() => this.approve(e)}>
              ${t('research.exports.approve')}
            </button>
          </p>`
        : nothing}
      ${this.files(e)}
    </li>`;
  }

  override render() {
    return html`<section class="panel" aria-labelledby="exports-heading-${this.study?.id ?? ''}">
      <h2 id="exports-heading-${this.study?.id ?? ''}">${t('research.exports.title')}</h2>
      ${this.study ? html`<p class="hint">${this.study.title}</p>` : nothing}
      ${this.list.length
        ? html`<ul role="list" class="cards">${this.list.map((e) => this.item(e))}</ul>`
        : html`<p>${t('research.exports.none')}</p>`}
      ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
    </section>`;
  }
}

customElements.define('cv-research-export-list', ResearchExportList);

declare global {
  interface HTMLElementTagNameMap {
    'cv-research-export-list': ResearchExportList;
  }
}
