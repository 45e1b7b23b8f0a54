/**
 * The therapist's private session room (`POST /api/world/therapy-rooms`, docs/wellbeing.md):
 * `cv-therapy-room-button` on the clinician's patient record opens it (the same room each time;
 * the server calls the patient in with a notification) and goes into it; `cv-my-therapy-rooms`
 * on the patient's wellbeing page lists the rooms they were invited to.
 */
import { html, nothing } from 'lit';
import { api } from '../../api/typed';
import { listSpaces, type Space } from '../../api/world';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { navigate } from '../../router';

/** Opens the session room with one patient and enters it. */
export class TherapyRoomButton extends LightElement {
  static override properties = {
    patientId: { type: String, attribute: 'patient-id' },
    busy: { state: true },
    error: { state: true },
  };

  declare patientId: string;
  declare busy: boolean;
  declare error: string;

  constructor() {
    super();
    this.patientId = '';
    this.busy = false;
    this.error = '';
  }

  private async open(): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      const room = await api.post('/api/world/therapy-rooms', { body: { patient_id: this.patientId } });
      navigate(`/spaces/${encodeURIComponent(room.id)}`);
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return html`<button
        class="button button--secondary"
        type="button"
        ?disabled=${this.busy}
        @click=${() => void this.open()}
      >
        ${t('therapyRoom.open')}
      </button>
      <span class="form-error" role="alert">${this.error || nothing}</span>`;
  }
}

/** The patient's session rooms (spaces of the therapy-room template they are a member of). */
export class MyTherapyRooms extends LightElement {
  static override properties = { rooms: { state: true } };

  declare rooms: Space[];

  constructor() {
    super();
    this.rooms = [];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.rooms = (await listSpaces()).filter((s) => s.template === 'therapy-room');
    } catch {
      this.rooms = []; // the rest of the page does not depend on it
    }
  }

  override render() {
    if (!this.rooms.length) return nothing;
    return html`<section class="panel" aria-labelledby="therapy-rooms-title">
      <h2 id="therapy-rooms-title">${t('therapyRoom.mine')}</h2>
      <p>${t('therapyRoom.mineIntro')}</p>
      <ul>
        ${this.rooms.map(
          (room) =>
            html`<li>
              <a class="button" href="/spaces/${encodeURIComponent(room.id)}">${t('therapyRoom.enter')}</a>
            </li>`,
        )}
      </ul>
    </section>`;
  }
}

customElements.define('cv-therapy-room-button', TherapyRoomButton);
customElements.define('cv-my-therapy-rooms', MyTherapyRooms);

declare global {
  interface HTMLElementTagNameMap {
    'cv-therapy-room-button': TherapyRoomButton;
    'cv-my-therapy-rooms': MyTherapyRooms;
  }
}
