import { html } from 'lit';
import { communities, type Community } from '../../api/community';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import './moderation-queue';

/** The membership roles that make someone a community's staff (docs/community.md). */
export const STAFF_ROLES: readonly string[] = ['facilitator', 'moderator'];

/** Whether the caller is staff (facilitator or moderator) of `community`. */
export function isCommunityStaff(community: Community): boolean {
  const m = community.membership;
  return m?.status === 'active' && STAFF_ROLES.includes(m.role);
}

/**
 * The moderation queue for community staff who are not site moderators or admins
 * (`/community/moderation` for staff who came without a case): the same queue and actions as the moderators' area; the server
 * scopes both to the communities the caller looks after, listed below the queue.
 */
export class CommunityStaffQueue extends LightElement {
  static override properties = {
    mine: { state: true },
    error: { state: true },
  };

  declare mine: Community[] | null;
  declare error: string;

  constructor() {
    super();
    this.mine = null;
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.mine = (await communities()).filter(isCommunityStaff);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  override render() {
    if (this.mine === null) {
      return this.error ? html`<p role="alert" class="error">${this.error}</p>` : html`<p>${t('app.loading')}</p>`;
    }
    if (!this.mine.length) {
      // Not staff anywhere: the queue would refuse them, so it is not asked.
      return html`<div class="page-intro">
        <h1>${t('community.staff.title')}</h1>
        <p>${t('community.staff.none')}</p>
      </div>`;
    }
    return html`
      <cv-moderation-queue></cv-moderation-queue>
      <section class="staff-communities" aria-labelledby="staff-communities-heading">
        <h2 id="staff-communities-heading">${t('community.staff.yours')}</h2>
        <ul role="list">
          ${this.mine.map(
            (c) => html`<li><a href=${`/community/${c.slug}`}>${c.name}</a></li>`,
          )}
        </ul>
      </section>
    `;
  }
}

customElements.define('cv-community-staff-queue', CommunityStaffQueue);
