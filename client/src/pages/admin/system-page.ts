import { html } from 'lit';
import { systemStatus, type SystemStatus } from '../../api/admin';
import { LightElement } from '../../components/light-element';
import { LoadingController } from '../../controllers/loading';
import { t, type MessageKey } from '../../i18n';
import { formatDate, formatTime } from '../../i18n/format';
import './admin.css';

type Dependency = SystemStatus['database'];

const STATUS: Record<Dependency['status'], MessageKey> = {
  ok: 'admin.system.ok',
  unreachable: 'admin.system.unreachable',
  'not configured': 'admin.system.notConfigured',
};

/** The admin's "System": this node's version, what it reaches, its jobs and its key ring ids. */
export class SystemPage extends LightElement {
  private status = new LoadingController(this, () => systemStatus(), { keep: true });

  private dependency(label: MessageKey, dep: Dependency) {
    const badge = dep.status === 'ok' ? 'badge--on' : dep.status === 'unreachable' ? 'badge--alert' : 'badge--off';
    return html`
      <dt>${t(label)}</dt>
      <dd><span class="badge ${badge}">${t(STATUS[dep.status])}</span> ${dep.detail ?? ''}</dd>
    `;
  }

  private renderStatus(s: SystemStatus) {
    return html`
      <p>${t('admin.system.checkedAt', { date: formatDate(s.checked_at), time: formatTime(s.checked_at) })}</p>
      <dl class="admin-facts">
        <dt>${t('admin.system.version')}</dt>
        <dd>${s.version}</dd>
        ${this.dependency('admin.system.database', s.database)}
        ${this.dependency('admin.system.redis', s.redis)}
        ${this.dependency('admin.system.mqtt', s.mqtt)}
        <dt>${t('admin.system.keyRing')}</dt>
        <dd>${t('admin.system.keyRingDetail', { primary: s.key_ring.primary, ids: s.key_ring.key_ids.join(', ') })}</dd>
      </dl>
      <h2>${t('admin.system.jobs')}</h2>
      ${s.jobs.length === 0
        ? html`<p class="empty">${t('admin.system.noJobs')}</p>`
        : html`<ul class="admin-jobs">
            ${s.jobs.map(
              (job) => html`<li>
                <code>${job.name}</code>
                <span class="badge ${job.running ? 'badge--on' : 'badge--alert'}">
                  ${job.running ? t('admin.system.running') : t('admin.system.stopped')}
                </span>
              </li>`,
            )}
          </ul>`}
    `;
  }

  override render() {
    return html`
      <div class="panel">
        <h1>${t('area.system.title')}</h1>
        <p class="lead">${t('admin.system.intro')}</p>
        ${this.status.render((s) => this.renderStatus(s))}
        <button class="button button--secondary" type="button" @click=${() => this.status.load()}>
          ${t('admin.system.refresh')}
        </button>
      </div>
    `;
  }
}

customElements.define('cv-admin-system', SystemPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-admin-system': SystemPage;
  }
}
