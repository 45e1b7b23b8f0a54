import { html, nothing } from 'lit';
import { approveExport, exportFile, exports, type Export } from '../../api/research';
import { saveFile } from '../../components/save-file';
import { t, type MessageKey } from '../../i18n';
import { formatDate } from '../../i18n/format';
import { StudyPanel } from './study-panel';

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
export class ResearchExportList extends StudyPanel {
  static override properties = { ...StudyPanel.properties, list: { state: true } };

  declare list: Export[];

  constructor() {
    super();
    this.list = [];
  }

  protected override async load(): Promise<void> {
    await this.attempt(async (id) => (this.list = (await exports(id)).reverse()));
  }

  private approve = (e: Export) => this.act((id) => approveExport(id, e.id));

  private save = (e: Export, name: string) =>
    this.attempt(async (id) => saveFile(await exportFile(id, e.id, name), this));

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
