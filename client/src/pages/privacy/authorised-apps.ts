import { html } from 'lit';
import { authorisedApps, revokeApp, type AuthorisedApp } from '../../api/smart';
import { LoadingController } from '../../controllers/loading';
import { t } from '../../i18n';
import { formatDate, formatTime } from '../../i18n/format';
import { PrivacySection } from './section';

/**
 * "Apps I have connected": each SMART app the person authorised, what it may see in plain words,
 * when it was allowed and last used; revoking ends its access at once.
 */
export class AuthorisedApps extends PrivacySection {
  private apps = new LoadingController(this, () => authorisedApps());

  private revoke(app: AuthorisedApp): Promise<void> {
    return this.act(app.id, 'apps-title', async () => {
      await revokeApp(app.id);
      this.apps.value = (this.apps.value ?? []).filter((a) => a.id !== app.id);
      return t('smart.apps.revokedNotice', { app: app.app_name });
    });
  }

  private renderApp(app: AuthorisedApp) {
    const lastUsed = app.last_used_at
      ? t('smart.apps.lastUsed', { date: formatDate(app.last_used_at), time: formatTime(app.last_used_at) })
      : t('smart.apps.neverUsed');
    return html`
      <li class="item">
        <h3 class="item__title">${app.app_name}</h3>
        <p class="item__meta">${t('smart.apps.granted', { date: formatDate(app.granted_at) })} · ${lastUsed}</p>
        <p class="item__label">${t('smart.apps.canDo')}</p>
        <ul class="scope-list">
          ${app.scopes.map((s) => html`<li>${s.text}</li>`)}
        </ul>
        <button
          class="button button--quiet"
          type="button"
          aria-disabled=${this.busy === app.id ? 'true' : 'false'}
          @click=${() => this.revoke(app)}
        >
          ${this.busy === app.id ? t('form.working') : t('smart.apps.revoke', { app: app.app_name })}
        </button>
      </li>
    `;
  }

  override render() {
    return html`
      <section class="panel" id="apps" aria-labelledby="apps-title">
        <h2 id="apps-title" tabindex="-1">${t('smart.apps.title')}</h2>
        <p>${t('smart.apps.intro')}</p>
        ${this.feedback.render()}
        ${this.apps.render((apps) =>
          apps.length === 0
            ? html`<p class="empty">${t('smart.apps.none')}</p>`
            : html`<ul class="item-list" role="list">${apps.map((a) => this.renderApp(a))}</ul>`,
        )}
      </section>
    `;
  }
}

customElements.define('cv-authorised-apps', AuthorisedApps);

declare global {
  interface HTMLElementTagNameMap {
    'cv-authorised-apps': AuthorisedApps;
  }
}
