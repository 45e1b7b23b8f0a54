import { html, nothing } from 'lit';
import { hasErrorCode } from '../../api/http';
import { cancelErasure, erasureStatus, requestErasure, type ErasureStatus } from '../../api/privacy';
import { LoadingController } from '../../controllers/loading';
import { t } from '../../i18n';
import { formatDate } from '../../i18n/format';
import { PrivacySection } from './section';

/**
 * The server's grace period before an account is erased (`CAREVERSE_ERASURE_GRACE_DAYS`,
 * 30 by default). The server does not say it before the request; once scheduled, the page
 * shows the date the server answers.
 */
const GRACE_DAYS = 30;

/**
 * "Delete my account": a confirmation that explains the grace period and what is kept, then
 * the scheduled date with a way to keep the account.
 */
export class AccountDeletion extends PrivacySection {
  static override properties = {
    confirming: { state: true },
  };

  declare confirming: boolean;

  private erasure = new LoadingController(this, () => erasureStatus());

  constructor() {
    super();
    this.confirming = false;
  }

  private async ask(): Promise<void> {
    this.clearMessages();
    this.confirming = true;
    await this.focusById('erasure-confirm-title');
  }

  private async cancel(): Promise<void> {
    this.confirming = false;
    await this.focusById('erasure-start');
  }

  private async schedule(): Promise<void> {
    const done = await this.feedback.run('schedule', async () => {
      this.erasure.value = await requestErasure();
      this.confirming = false;
    });
    if (!done) return;
    const dueAt = this.erasure.value?.due_at;
    await this.say(t('erasure.scheduledNotice', { date: dueAt ? formatDate(dueAt) : '' }));
    await this.focusById('erasure-title');
  }

  private async keep(): Promise<void> {
    const done = await this.feedback.run(
      'keep',
      async () => {
        await cancelErasure();
        this.erasure.value = { status: 'none' };
      },
      async (error) => {
        if (!hasErrorCode(error, 'not_found')) return false;
        // Nothing was pending any more: show how things stand.
        await this.erasure.load();
        return true;
      },
    );
    if (!done) return;
    await this.say(t('erasure.keptNotice'));
    await this.focusById('erasure-title');
  }

  private renderScheduled(dueAt: string | null | undefined) {
    return html`
      <p class="consent__state">
        <span class="badge badge--alert">${t('erasure.badge')}</span>
        ${dueAt ? t('erasure.scheduled', { date: formatDate(dueAt) }) : nothing}
      </p>
      <p>${t('erasure.scheduledHint')}</p>
      <button class="button button--primary" type="button" aria-disabled=${this.busy ? 'true' : 'false'} @click=${this.keep}>
        ${this.busy ? t('form.working') : t('erasure.keep')}
      </button>
    `;
  }

  private renderConfirmation() {
    return html`
      <div class="confirm confirm--danger" role="group" aria-labelledby="erasure-confirm-title">
        <h3 id="erasure-confirm-title" tabindex="-1">${t('erasure.confirmTitle')}</h3>
        <ul>
          <li>${t('erasure.confirmGrace', { count: GRACE_DAYS })}</li>
          <li>${t('erasure.confirmGone')}</li>
          <li>${t('erasure.confirmKept')}</li>
        </ul>
        <p><a href="#export">${t('erasure.confirmExport')}</a></p>
        <div class="actions">
          <button class="button button--danger" type="button" aria-disabled=${this.busy ? 'true' : 'false'} @click=${this.schedule}>
            ${this.busy ? t('form.working') : t('erasure.confirm')}
          </button>
          <button class="button button--quiet" type="button" @click=${this.cancel}>${t('form.cancel')}</button>
        </div>
      </div>
    `;
  }

  private renderBody(erasure: ErasureStatus) {
    if (erasure.status === 'scheduled') {
      return html`${this.renderMessages()} ${this.renderScheduled(erasure.due_at)}`;
    }
    return html`
      ${this.renderMessages()}
      <p>${t('erasure.intro')}</p>
      ${this.confirming
        ? this.renderConfirmation()
        : html`<button class="button button--secondary" id="erasure-start" type="button" @click=${this.ask}>
            ${t('erasure.start')}
          </button>`}
    `;
  }

  override render() {
    return html`
      <section class="panel" id="erasure" aria-labelledby="erasure-title">
        <h2 id="erasure-title" tabindex="-1">${t('erasure.title')}</h2>
        ${this.erasure.render((erasure) => this.renderBody(erasure))}
      </section>
    `;
  }
}

customElements.define('cv-account-deletion', AccountDeletion);

declare global {
  interface HTMLElementTagNameMap {
    'cv-account-deletion': AccountDeletion;
  }
}
