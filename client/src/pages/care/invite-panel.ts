import { html, nothing } from 'lit';
import { invite, removeInvitee, type InviteRole } from '../../api/care';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import './care.css';

const ROLES: InviteRole[] = ['interpreter', 'caregiver', 'clinician'];

/**
 * Invite someone into an appointment's consult room: an interpreter, a caregiver the patient
 * has given access to, or a second clinician, by the e-mail address they sign in with. The
 * clinician and the patient may invite; at most two guests. Fires `invited` when done. Lists
 * the guests, each with a button that removes them (fires `uninvited`).
 */
export class InvitePanel extends LightElement {
  static override properties = {
    appointmentId: { type: String, attribute: 'appointment-id' },
    invitees: { attribute: false },
    role: { state: true },
    notice: { state: true },
    error: { state: true },
  };

  declare appointmentId: string;
  declare invitees: { account_id: string; name: string; role: string }[];
  declare role: InviteRole;
  declare notice: string;
  declare error: string;

  constructor() {
    super();
    this.appointmentId = '';
    this.invitees = [];
    this.role = 'interpreter';
    this.notice = '';
    this.error = '';
  }

  private async send(event: Event): Promise<void> {
    event.preventDefault();
    const input = this.querySelector(`#invite-email-${this.appointmentId}`) as HTMLInputElement | null;
    const email = input?.value.trim() ?? '';
    if (!email) {
      this.error = t('care.invite.needEmail');
      input?.focus();
      return;
    }
    try {
      await invite(this.appointmentId, { role: this.role, email });
      this.error = '';
      this.notice = t('care.invite.done', { role: t(`care.invite.role.${this.role}` as MessageKey) });
      if (input) input.value = '';
      this.dispatchEvent(new CustomEvent('invited', { bubbles: true, composed: true }));
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async uninvite(guest: { account_id: string; name: string }): Promise<void> {
    try {
      await removeInvitee(this.appointmentId, guest.account_id);
      this.invitees = this.invitees.filter((i) => i.account_id !== guest.account_id);
      this.error = '';
      this.notice = t('care.invite.removed', { name: guest.name });
      this.dispatchEvent(new CustomEvent('uninvited', { bubbles: true, composed: true }));
    } catch (error) {
      this.error = describeError(error);
    }
  }

  override render() {
    const a = this.appointmentId;
    if (!a) return nothing;
    return html`
      <section class="care-invite" aria-labelledby="invite-title-${a}">
        <h3 id="invite-title-${a}">${t('care.invite.title')}</h3>
        <p>${t('care.invite.intro')}</p>
        ${this.invitees.length
          ? html`<ul>
              ${this.invitees.map(
                (i) => html`<li>
                  ${i.name} — ${t(`care.invite.role.${i.role}` as MessageKey)}
                  <button
                    class="button button--quiet"
                    type="button"
                    aria-label=${t('care.invite.removeLabel', { name: i.name })}
                    @click=${() => void this.uninvite(i)}
                  >
                    ${t('care.invite.remove')}
                  </button>
                </li>`,
              )}
            </ul>`
          : nothing}
        <p class="notice" role="status">${this.notice}</p>
        <p class="form-error" role="alert">${this.error}</p>
        <form @submit=${(e: Event) => this.send(e)}>
          <div class="field">
            <label for="invite-role-${a}">${t('care.invite.who')}</label>
            <select
              id="invite-role-${a}"
              .value=${this.role}
              @change=${(e: Event) => (this.role = (e.target as HTMLSelectElement).value as InviteRole)}
            >
              ${ROLES.map((r) => html`<option value=${r}>${t(`care.invite.role.${r}` as MessageKey)}</option>`)}
            </select>
          </div>
          <div class="field">
            <label for="invite-email-${a}">${t('care.invite.email')}</label>
            <input id="invite-email-${a}" type="email" autocomplete="off" maxlength="320" />
            <p class="field-hint">${t(this.role === 'caregiver' ? 'care.invite.caregiverHint' : 'care.invite.emailHint')}</p>
          </div>
          <button class="button button--secondary" type="submit" id="invite-send-${a}">${t('care.invite.send')}</button>
        </form>
      </section>
    `;
  }
}

customElements.define('cv-invite-panel', InvitePanel);

declare global {
  interface HTMLElementTagNameMap {
    'cv-invite-panel': InvitePanel;
  }
}
