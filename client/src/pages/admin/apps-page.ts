import { html, nothing } from 'lit';
import {
  registerSmartApp,
  setSmartAppActive,
  smartApps,
  type NewSmartApp,
  type SmartApp,
} from '../../api/smart';
import { LightElement } from '../../components/light-element';
import { Feedback } from '../../controllers/feedback';
import { LoadingController } from '../../controllers/loading';
import { t, type MessageKey } from '../../i18n';
import './admin.css';

/** Words of a list field: one a line, or separated by spaces. */
function words(value: FormDataEntryValue | null): string[] {
  return String(value ?? '')
    .split(/\s+/)
    .map((w) => w.trim())
    .filter(Boolean);
}

/**
 * The admin's "Apps": SMART on FHIR apps people may connect. Register one (name, exact redirect
 * URIs, public or confidential, the scopes it may ask for; a confidential app's secret is shown
 * once), and turn an app off (its tokens stop at once) or on again.
 */
export class AppsPage extends LightElement {
  static override properties = {
    created: { state: true },
  };

  /** The app just registered, with its secret (shown this once). */
  declare created: SmartApp | null;

  private readonly feedback = new Feedback(this);
  private readonly createFeedback = new Feedback(this);
  private readonly backendFeedback = new Feedback(this);
  private apps = new LoadingController(this, () => smartApps(), { keep: true });

  constructor() {
    super();
    this.created = null;
  }

  private async toggle(app: SmartApp): Promise<void> {
    const done = await this.feedback.run(app.id, async () => {
      const updated = await setSmartAppActive(app.id, !app.is_active);
      this.apps.value = (this.apps.value ?? []).map((a) => (a.id === updated.id ? updated : a));
    });
    if (!done) return;
    const key: MessageKey = app.is_active ? 'admin.apps.turnedOff' : 'admin.apps.turnedOn';
    await this.feedback.say(t(key, { name: app.name }));
  }

  private async onCreate(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const redirects = words(data.get('redirect_uris'));
    const scopes = words(data.get('scopes'));
    if (!name || redirects.length === 0 || scopes.length === 0) {
      await this.createFeedback.failWith(t('admin.apps.missing'));
      return;
    }
    this.created = null;
    const done = await this.createFeedback.run('create', async () => {
      this.created = await registerSmartApp({
        name,
        redirect_uris: redirects,
        scopes,
        confidential: data.get('confidential') === 'on',
        launch_url: String(data.get('launch_url') ?? '').trim() || null,
      });
      form.reset();
    });
    if (!done) return;
    await this.createFeedback.say(t('admin.apps.registered', { name }));
    await this.apps.load();
  }

  private async onCreateBackend(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const scopes = words(data.get('scopes'));
    const pasted = String(data.get('jwks') ?? '').trim();
    const jwksUrl = String(data.get('jwks_url') ?? '').trim();
    if (!name || scopes.length === 0 || (pasted === '') === (jwksUrl === '')) {
      await this.backendFeedback.failWith(t('admin.apps.backendMissing'));
      return;
    }
    let jwks: NewSmartApp['jwks'] = null;
    if (pasted) {
      try {
        jwks = JSON.parse(pasted) as NewSmartApp['jwks'];
      } catch {
        await this.backendFeedback.failWith(t('admin.apps.jwksNotJson'));
        return;
      }
    }
    this.created = null;
    const done = await this.backendFeedback.run('backend', async () => {
      this.created = await registerSmartApp({ name, scopes, jwks, jwks_url: jwksUrl || null });
      form.reset();
    });
    if (!done) return;
    await this.backendFeedback.say(t('admin.apps.registered', { name }));
    await this.apps.load();
  }

  private kind(app: SmartApp): string {
    if (app.backend) return t('admin.apps.backend');
    const kind = app.confidential ? t('admin.apps.confidential') : t('admin.apps.public');
    return app.launch_url ? `${kind}; ${t('admin.apps.launchable')}` : kind;
  }

  private renderApps(apps: SmartApp[]) {
    if (apps.length === 0) return html`<p class="empty">${t('admin.apps.none')}</p>`;
    return html`
      <div class="table-scroll">
        <table class="admin-table">
          <caption class="visually-hidden">${t('admin.apps.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">${t('admin.apps.name')}</th>
              <th scope="col">${t('admin.apps.clientId')}</th>
              <th scope="col">${t('admin.apps.kind')}</th>
              <th scope="col">${t('admin.apps.scopes')}</th>
              <th scope="col">${t('admin.accounts.state')}</th>
              <th scope="col">${t('admin.accounts.actions')}</th>
            </tr>
          </thead>
          <tbody>
            ${apps.map(
              (app) => html`<tr>
                <th scope="row">${app.name}</th>
                <td><code>${app.client_id}</code></td>
                <td>${this.kind(app)}</td>
                <td>${app.scopes.join(' ')}</td>
                <td>
                  <span class="badge ${app.is_active ? 'badge--on' : 'badge--off'}">
                    ${app.is_active ? t('admin.accounts.active') : t('admin.accounts.inactive')}
                  </span>
                </td>
                <td class="admin-actions">
                  <button class="button button--secondary" type="button"
                    aria-disabled=${this.feedback.busy === app.id ? 'true' : 'false'}
                    aria-label=${t(app.is_active ? 'admin.apps.turnOffFor' : 'admin.apps.turnOnFor', { name: app.name })}
                    @click=${() => this.toggle(app)}>
                    ${app.is_active ? t('admin.accounts.turnOff') : t('admin.accounts.turnOn')}
                  </button>
                </td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    `;
  }

  private renderCreate() {
    const busy = this.createFeedback.busy === 'create';
    const made = this.created;
    return html`
      <section class="panel" aria-labelledby="apps-create-title">
        <h2 id="apps-create-title">${t('admin.apps.createTitle')}</h2>
        ${this.createFeedback.render()}
        ${made
          ? html`<p class="admin-link">
              <label for="apps-created-id">${t('admin.apps.clientIdOf', { name: made.name })}</label>
              <input id="apps-created-id" readonly .value=${made.client_id} />
            </p>
            ${made.client_secret
              ? html`<p class="admin-link">
                  <label for="apps-created-secret">${t('admin.apps.secretOnce')}</label>
                  <input id="apps-created-secret" readonly .value=${made.client_secret} />
                </p>`
              : nothing}`
          : nothing}
        <form class="admin-create" @submit=${this.onCreate}>
          <div class="field">
            <label for="apps-new-name">${t('admin.apps.name')}</label>
            <input id="apps-new-name" name="name" maxlength="100" required autocomplete="off" />
          </div>
          <div class="field">
            <label for="apps-new-redirects">${t('admin.apps.redirects')}</label>
            <textarea id="apps-new-redirects" name="redirect_uris" rows="2" required></textarea>
          </div>
          <div class="field">
            <label for="apps-new-scopes">${t('admin.apps.scopes')}</label>
            <textarea id="apps-new-scopes" name="scopes" rows="2" required
              placeholder="launch/patient patient/Observation.rs offline_access"></textarea>
          </div>
          <div class="field">
            <label for="apps-new-launch">${t('admin.apps.launchUrl')}</label>
            <input id="apps-new-launch" name="launch_url" type="url" maxlength="2000" autocomplete="off"
              placeholder="https://app.example.org/launch" />
          </div>
          <div class="choice">
            <input id="apps-new-confidential" name="confidential" type="checkbox" />
            <label for="apps-new-confidential">${t('admin.apps.confidentialLabel')}</label>
          </div>
          <button class="button button--primary" type="submit" aria-disabled=${busy ? 'true' : 'false'}>
            ${busy ? t('form.working') : t('admin.apps.createButton')}
          </button>
        </form>
      </section>
    `;
  }

  private renderCreateBackend() {
    const busy = this.backendFeedback.busy === 'backend';
    return html`
      <section class="panel" aria-labelledby="apps-backend-title">
        <h2 id="apps-backend-title">${t('admin.apps.backendTitle')}</h2>
        <p>${t('admin.apps.backendIntro')}</p>
        ${this.backendFeedback.render()}
        <form class="admin-create" @submit=${this.onCreateBackend}>
          <div class="field">
            <label for="apps-backend-name">${t('admin.apps.name')}</label>
            <input id="apps-backend-name" name="name" maxlength="100" required autocomplete="off" />
          </div>
          <div class="field">
            <label for="apps-backend-scopes">${t('admin.apps.backendScopes')}</label>
            <input id="apps-backend-scopes" name="scopes" required value="system/*.rs" autocomplete="off" />
          </div>
          <div class="field">
            <label for="apps-backend-jwks">${t('admin.apps.jwks')}</label>
            <textarea id="apps-backend-jwks" name="jwks" rows="4" spellcheck="false"
              placeholder='{"keys": [{"kty": "RSA", "n": "…", "e": "AQAB", "kid": "…"}]}'></textarea>
          </div>
          <div class="field">
            <label for="apps-backend-jwks-url">${t('admin.apps.jwksUrl')}</label>
            <input id="apps-backend-jwks-url" name="jwks_url" type="url" maxlength="2000" autocomplete="off" />
          </div>
          <button class="button button--primary" type="submit" aria-disabled=${busy ? 'true' : 'false'}>
            ${busy ? t('form.working') : t('admin.apps.backendButton')}
          </button>
        </form>
      </section>
    `;
  }

  override render() {
    return html`
      <div class="panel">
        <h1>${t('area.apps.title')}</h1>
        <p class="lead">${t('admin.apps.intro')}</p>
        ${this.feedback.render()} ${this.apps.render((apps) => this.renderApps(apps))}
      </div>
      ${this.renderCreate()} ${this.renderCreateBackend()}
    `;
  }
}

customElements.define('cv-admin-apps', AppsPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-admin-apps': AppsPage;
  }
}
