import { html, nothing } from 'lit';
import { communities } from '../../api/community';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { getAccount } from '../../session';
import './moderation-queue';
import './staff-queue';

const SITE_STAFF = new Set(['moderator', 'admin']);

/**
 * `/community/moderation`, where crisis notices link (`?case=…`): the moderation queue for
 * whoever a notice was sent to — a community's facilitators and moderators, whatever their
 * site role, and the on-call clinician. Someone who looks after no community and came without
 * a case is told so instead of being refused by the queue.
 */
export class CommunityModeration extends LightElement {
  static override properties = { mine: { state: true }, error: { state: true } };

  declare mine: boolean | null;
  declare error: string;

  constructor() {
    super();
    this.mine = null;
    this.error = '';
  }

  private fromNoticeOrSiteStaff(): boolean {
    return (
      new URLSearchParams(location.search).has('case') || SITE_STAFF.has(getAccount()?.role ?? '')
    );
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.decide();
  }

  private async decide(): Promise<void> {
    const fromNotice = new URLSearchParams(location.search).has('case');
    if (fromNotice || SITE_STAFF.has(getAccount()?.role ?? '')) {
      this.mine = true;
      return;
    }
    try {
      this.mine = (await communities()).some((c) => c.staff);
    } catch (error) {
      this.error = describeError(error);
      this.mine = false;
    }
  }

  override render() {
    if (this.mine && this.fromNoticeOrSiteStaff()) {
      return html`<cv-moderation-queue></cv-moderation-queue>`;
    }
    // Community staff: the queue and the communities they look after.
    if (this.mine) return html`<cv-community-staff-queue></cv-community-staff-queue>`;
    return html`
      <div class="page-intro">
        <h1>${t('area.moderation.title')}</h1>
        ${this.mine === null
          ? html`<p role="status">${t('app.loading')}</p>`
          : html`<p class="lead">${t('moderation.notStaff')}</p>`}
        <div class="form-error" role="alert">${this.error || nothing}</div>
      </div>
    `;
  }
}

customElements.define('cv-community-moderation', CommunityModeration);

declare global {
  interface HTMLElementTagNameMap {
    'cv-community-moderation': CommunityModeration;
  }
}
