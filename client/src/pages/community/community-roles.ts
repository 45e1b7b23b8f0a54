import { html, nothing } from 'lit';
import { members, setMemberRole, type Member, type MemberRole } from '../../api/community';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import './community-roles.css';

export const MEMBER_ROLES: readonly MemberRole[] = ['member', 'moderator', 'facilitator', 'educator'];

export function roleName(role: string): string {
  return (MEMBER_ROLES as readonly string[]).includes(role)
    ? t(`community.role.${role}` as MessageKey)
    : role;
}

/**
 * A community's active members and their roles, for its moderators (and site admins): one row
 * per member with a labelled role choice and its own Save button (a narrow screen stacks them).
 * The server decides who may change roles (`PUT .../members/{id}/role`); a refusal is shown
 * as it says. The outcome is announced in a polite live region.
 */
export class CommunityRoles extends LightElement {
  static override properties = {
    slug: {},
    list: { state: true },
    error: { state: true },
    status: { state: true },
    busy: { state: true },
  };

  declare slug: string;
  declare list: Member[] | null;
  declare error: string;
  declare status: string;
  declare busy: string;

  constructor() {
    super();
    this.slug = '';
    this.list = null;
    this.error = '';
    this.status = '';
    this.busy = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const found = await members(this.slug);
      this.list = [...found].sort((a, b) => a.name.localeCompare(b.name));
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async save(event: SubmitEvent, member: Member): Promise<void> {
    event.preventDefault();
    const role = String(new FormData(event.target as HTMLFormElement).get('role') ?? '') as MemberRole;
    this.error = '';
    this.status = '';
    if (role === member.role) {
      this.status = t('community.roles.unchanged');
      return;
    }
    this.busy = member.membership_id;
    try {
      const saved = await setMemberRole(this.slug, member.membership_id, role);
      this.list = (this.list ?? []).map((m) => (m.membership_id === saved.membership_id ? saved : m));
      this.status = t('community.roles.saved', { name: saved.name, role: roleName(saved.role) });
    } catch (error) {
      this.error = describeError(error);
    }
    this.busy = '';
  }

  private row(member: Member) {
    const id = `role-${member.membership_id}`;
    return html`<li class="role-row" data-member=${member.name}>
      <form class="role-row__form" @submit=${(e: SubmitEvent) => this.save(e, member)}>
        <label for=${id}>${t('community.roles.label', { name: member.name })}</label>
        <div class="role-row__controls">
          <select id=${id} name="role">
            ${MEMBER_ROLES.map(
              (role) => html`<option value=${role} ?selected=${member.role === role}>${roleName(role)}</option>`,
            )}
          </select>
          <button class="button button--secondary" type="submit" ?disabled=${this.busy === member.membership_id}>
            ${t('community.roles.save')}<span class="visually-hidden"> — ${member.name}</span>
          </button>
        </div>
      </form>
    </li>`;
  }

  override render() {
    return html`<section class="community-roles" aria-labelledby="community-roles-heading">
      <h2 id="community-roles-heading">${t('community.roles.title')}</h2>
      <p class="field-hint">${t('community.roles.hint')}</p>
      <p class="visually-hidden" role="status" aria-live="polite">${this.status}</p>
      ${this.status ? html`<p class="notice" aria-hidden="true">${this.status}</p>` : nothing}
      ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      ${this.list === null
        ? this.error
          ? nothing
          : html`<p>${t('app.loading')}</p>`
        : this.list.length
          ? html`<ul role="list" class="role-list">${this.list.map((m) => this.row(m))}</ul>`
          : html`<p>${t('community.roles.empty')}</p>`}
    </section>`;
  }
}

customElements.define('cv-community-roles', CommunityRoles);

declare global {
  interface HTMLElementTagNameMap {
    'cv-community-roles': CommunityRoles;
  }
}
