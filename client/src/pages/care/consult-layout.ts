import { html, nothing, type TemplateResult } from 'lit';
import { finish, room, type Room } from '../../api/care';
import { ApiError } from '../../api/http';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import type { CallManager } from '../../world/calls';
import './consult-call';
import './consult-call.css';
import './soap-note';
import './visit-facts';

/**
 * The consult room, call first: the call is the main view (`cv-consult-call`), the 3D room and
 * its panels (chat, shared models, decisions, invitations) beside it or, on a phone, below it,
 * and for the visit's clinician a side panel that never leaves the call: the visit's reason,
 * recent vitals with NEWS2, the problems recorded for the patient, the SOAP note (autosaved,
 * signable, addenda after signing) and "End the visit" (confirmed in the page). When the visit
 * ends the call area says so for everyone.
 *
 * The space page renders it for consult rooms and hands it its parts: `spaceId`, `calls`,
 * `names` (avatar id → name), `ended` (the close message, '' while open), `mode` (2d|3d),
 * `stage` (the world view) and `panels` (the space's side panels). A consult-room space that
 * belongs to no visit (the care API does not know it) keeps the space's usual layout.
 */
export class ConsultCallLayout extends LightElement {
  static override properties = {
    spaceId: { type: String, attribute: 'space-id' },
    calls: { attribute: false },
    names: { attribute: false },
    ended: { type: String },
    mode: { type: String },
    stage: { attribute: false },
    panels: { attribute: false },
    info: { state: true },
    visit: { state: true },
    confirming: { state: true },
    error: { state: true },
    busy: { state: true },
  };

  declare spaceId: string;
  declare calls: CallManager | null;
  declare names: Map<string, string>;
  declare ended: string;
  declare mode: string;
  declare stage: TemplateResult | null;
  declare panels: TemplateResult | null;
  declare info: Room | null;
  /** Whether this room is a visit's ('unknown' until the care API answers). */
  declare visit: 'unknown' | 'yes' | 'no';
  declare confirming: boolean;
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.spaceId = '';
    this.calls = null;
    this.names = new Map();
    this.ended = '';
    this.mode = '3d';
    this.stage = null;
    this.panels = null;
    this.info = null;
    this.visit = 'unknown';
    this.confirming = false;
    this.error = '';
    this.busy = false;
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('spaceId') && this.spaceId) void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.info = await room(this.spaceId);
      this.visit = 'yes';
    } catch (error) {
      this.info = null;
      this.visit = 'no';
      if (!(error instanceof ApiError && (error.status === 404 || error.status === 401))) {
        this.error = describeError(error);
      }
    }
  }

  private async endVisit(): Promise<void> {
    const id = this.info?.encounter_id;
    if (!id || this.busy) return;
    this.busy = true;
    this.error = '';
    try {
      await finish(id);
      this.confirming = false;
      // The room closes for everyone (the socket says why); the note stays here to finish.
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    if (this.visit === 'no') {
      // A consult-room space that belongs to no visit: the space's usual layout.
      return html`<p class="form-error" role="alert">${this.error}</p>
        <div class="world-layout world-layout--${this.mode}">
          <div class="world-main">${this.stage ?? nothing}</div>
          <div class="world-side">${this.panels ?? nothing}</div>
        </div>`;
    }
    const clinician = this.info?.role_in_room === 'clinician';
    return html`
      <div class="consult-layout ${clinician ? 'consult-layout--clinician' : ''}">
        <div class="consult-layout__call">
          ${this.visit === 'yes'
            ? html`<cv-consult-call .calls=${this.calls} .names=${this.names} ended=${this.ended}
                room-role=${this.info?.role_in_room ?? ''}></cv-consult-call>`
            : html`<div class="consult-call__stage consult-call__stage--idle">
                <p class="loading" role="status">${t('app.loading')}</p>
              </div>`}
        </div>
        ${clinician && this.info ? this.renderSide(this.info) : nothing}
        <div class="consult-layout__room world-layout world-layout--${this.mode}">
          <div class="world-main">${this.stage ?? nothing}</div>
          <div class="world-side">${this.panels ?? nothing}</div>
        </div>
      </div>
    `;
  }

  private renderSide(info: Room) {
    return html`
      <aside class="consult-layout__side consult-side" aria-labelledby="consult-side-title">
        <h2 id="consult-side-title">${t('care.side.title', { name: info.patient_name })}</h2>
        ${info.encounter_id
          ? html`<cv-visit-facts encounter-id=${info.encounter_id} patient-id=${info.patient_id} can-add></cv-visit-facts>
              <cv-soap-note encounter-id=${info.encounter_id}></cv-soap-note>`
          : nothing}
        <p class="form-error" role="alert">${this.error}</p>
        ${this.ended ? nothing : this.renderEnd()}
      </aside>
    `;
  }

  private renderEnd() {
    if (!this.confirming) {
      return html`<p class="care-actions">
        <button id="consult-end" class="button button--danger" type="button"
          @click=${() => { this.confirming = true; void this.focusById('consult-end-confirm'); }}>
          ${t('care.note.finish')}
        </button>
      </p>`;
    }
    return html`<div class="consult-side__confirm" role="group" aria-labelledby="consult-end-question">
      <p id="consult-end-question">${t('care.side.endQuestion')}</p>
      <p class="care-actions">
        <button id="consult-end-confirm" class="button button--danger" type="button" ?disabled=${this.busy}
          @click=${() => this.endVisit()}>${t('care.side.endConfirm')}</button>
        <button class="button button--secondary" type="button"
          @click=${() => { this.confirming = false; void this.focusById('consult-end'); }}>${t('care.side.endKeep')}</button>
      </p>
    </div>`;
  }
}

customElements.define('cv-consult-call-layout', ConsultCallLayout);

declare global {
  interface HTMLElementTagNameMap {
    'cv-consult-call-layout': ConsultCallLayout;
  }
}
