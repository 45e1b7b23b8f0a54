import { html } from 'lit';
import { LightElement } from '../../components/light-element';
import { onRouteChange } from '../../router';
import './monitoring-panel';
import './patient-monitoring';

/** The clinician's "Monitoring": the panel, or one patient's view at `/monitoring?patient=<id>`. */
export class MonitoringPage extends LightElement {
  private stopRoute: (() => void) | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopRoute = onRouteChange(() => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    this.stopRoute?.();
    this.stopRoute = null;
    super.disconnectedCallback();
  }

  /** Done when the panel or patient view inside has rendered too (the shell then focuses its h1). */
  protected override async getUpdateComplete(): Promise<boolean> {
    const done = await super.getUpdateComplete();
    const child = this.firstElementChild;
    if (child instanceof LightElement) await child.updateComplete;
    return done;
  }

  override render() {
    const patientId = new URLSearchParams(location.search).get('patient');
    return patientId
      ? html`<cv-patient-monitoring patient-id=${patientId}></cv-patient-monitoring>`
      : html`<cv-monitoring-panel></cv-monitoring-panel>`;
  }
}

customElements.define('cv-monitoring', MonitoringPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-monitoring': MonitoringPage;
  }
}
