import { html, nothing } from 'lit';
import { launchApp, launchableApps, type LaunchableApp } from '../api/smart';
import { Feedback } from '../controllers/feedback';
import { LoadingController } from '../controllers/loading';
import { t } from '../i18n';
import { LightElement } from './light-element';

/**
 * "Launch app" on a patient's view (SMART EHR launch): the registered apps that have a launch
 * URL, each a button that opens the app in a new tab with this patient in context. The server
 * checks that the person may see the patient and answers the app's launch URL with an opaque,
 * single-use `launch` handle (the patient's id never goes into a URL). Shows nothing when no app
 * can be launched.
 */
export class SmartLaunch extends LightElement {
  static override properties = {
    patientId: { type: String, attribute: 'patient-id' },
    headingLevel: { type: Number, attribute: 'heading-level' },
  };

  declare patientId: string;
  declare headingLevel: number;

  private readonly feedback = new Feedback(this);
  private apps = new LoadingController(this, () => launchableApps(), { keep: true });

  constructor() {
    super();
    this.patientId = '';
    this.headingLevel = 2;
  }

  private async launch(app: LaunchableApp): Promise<void> {
    // Opened now, within the click, so a pop-up blocker lets it through; pointed at the app once
    // the server has made the launch, without a way back to this page (no opener).
    const tab = window.open('', '_blank');
    if (tab) tab.opener = null;
    const done = await this.feedback.run(app.id, async () => {
      const { launch_url } = await launchApp(app.id, this.patientId);
      if (tab) tab.location.href = launch_url;
      else location.assign(launch_url);
    });
    if (!done) {
      tab?.close();
      return;
    }
    await this.feedback.say(t('smart.launch.opened', { app: app.name }));
  }

  private renderApps(apps: LaunchableApp[]) {
    if (apps.length === 0) return nothing;
    const heading =
      this.headingLevel === 3
        ? html`<h3 id="smart-launch-title">${t('smart.launch.title')}</h3>`
        : html`<h2 id="smart-launch-title">${t('smart.launch.title')}</h2>`;
    return html`
      <section class="panel" aria-labelledby="smart-launch-title">
        ${heading}
        <p>${t('smart.launch.intro')}</p>
        ${this.feedback.render()}
        <ul class="actions" role="list">
          ${apps.map(
            (app) => html`<li>
              <button class="button button--secondary" type="button"
                aria-disabled=${this.feedback.busy === app.id ? 'true' : 'false'}
                @click=${() => this.launch(app)}>
                ${t('smart.launch.button', { app: app.name })}
              </button>
            </li>`,
          )}
        </ul>
      </section>
    `;
  }

  override render() {
    // A failure to list the apps is not worth a panel on a clinical view: nothing is shown.
    const apps = this.apps.value;
    return apps ? this.renderApps(apps) : nothing;
  }
}

customElements.define('cv-smart-launch', SmartLaunch);

declare global {
  interface HTMLElementTagNameMap {
    'cv-smart-launch': SmartLaunch;
  }
}
