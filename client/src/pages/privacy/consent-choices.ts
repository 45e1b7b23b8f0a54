import { html } from 'lit';
import {
  consents,
  grantConsent,
  isInForce,
  withdrawConsent,
  type Consent,
  type ConsentPurpose,
  type ConsentRequest,
} from '../../api/privacy';
import { textField } from '../../components/fields';
import { FormController, type FieldErrorsOf } from '../../controllers/form';
import { LoadingController } from '../../controllers/loading';
import { t } from '../../i18n';
import { endOfLocalDay, formatDate, tomorrowInputValue } from '../../i18n/format';
import { PrivacySection } from './section';

/** Purposes the patient opts into (nothing is shared unless they agree). */
type OptInPurpose = 'research' | 'community';

const OPT_IN_TEXT = {
  research: {
    title: 'consents.research.title',
    explain: 'consents.research.explain',
    on: 'consents.research.on',
    off: 'consents.research.off',
    grant: 'consents.research.grant',
    withdraw: 'consents.research.withdraw',
    granted: 'consents.research.grantedNotice',
    withdrawn: 'consents.research.withdrawnNotice',
  },
  community: {
    title: 'consents.community.title',
    explain: 'consents.community.explain',
    on: 'consents.community.on',
    off: 'consents.community.off',
    grant: 'consents.community.grant',
    withdraw: 'consents.community.withdraw',
    granted: 'consents.community.grantedNotice',
    withdrawn: 'consents.community.withdrawnNotice',
  },
} as const;

const ORG_VALUES = { organization: '', until: '' };

/**
 * The patient's consent choices, one card per purpose: treatment (allowed unless refused),
 * research and communities (only if agreed), and sharing with named organisations.
 */
export class ConsentChoices extends PrivacySection {
  static override properties = {
    confirmingRefusal: { state: true },
  };

  declare confirmingRefusal: boolean;

  private consents = new LoadingController(this, () => consents());

  /** Sharing with a named organisation. */
  private orgForm = new FormController(this, {
    values: ORG_VALUES,
    ids: { organization: 'share-organization', until: 'share-until' },
    serverFields: { organization: 'organization', period_end: 'until' },
    feedback: this.feedback,
    action: 'org-sharing',
  });

  constructor() {
    super();
    this.confirmingRefusal = false;
  }

  private inForce(purpose: ConsentPurpose): Consent[] {
    return (this.consents.value ?? []).filter((c) => c.purpose === purpose && isInForce(c));
  }

  private treatmentRefused(): boolean {
    return this.inForce('treatment').some((c) => c.decision === 'deny');
  }

  private optedIn(purpose: OptInPurpose): boolean {
    const current = this.inForce(purpose);
    return current.some((c) => c.decision === 'permit') && !current.some((c) => c.decision === 'deny');
  }

  /** Put the server's answer in place of what the page knew of that consent. */
  private remember(consent: Consent): void {
    const others = (this.consents.value ?? []).filter((c) => c.id !== consent.id);
    this.consents.value = [...others, consent];
  }

  private async withdrawAll(list: Consent[]): Promise<void> {
    for (const consent of list) this.remember(await withdrawConsent(consent.id));
  }

  // ---- treatment ---------------------------------------------------------------------------

  private async askToRefuse(): Promise<void> {
    this.confirmingRefusal = true;
    this.clearMessages();
    await this.focusById('treatment-confirm');
  }

  private async cancelRefusal(): Promise<void> {
    this.confirmingRefusal = false;
    await this.focusById('treatment-refuse');
  }

  private refuseTreatment(): Promise<void> {
    return this.act('treatment', 'consent-treatment-title', async () => {
      this.remember(await grantConsent({ purpose: 'treatment', decision: 'deny' }));
      this.confirmingRefusal = false;
      return t('consents.treatment.refusedNotice');
    });
  }

  private allowTreatment(): Promise<void> {
    return this.act('treatment', 'consent-treatment-title', async () => {
      await this.withdrawAll(this.inForce('treatment').filter((c) => c.decision === 'deny'));
      return t('consents.treatment.allowedNotice');
    });
  }

  // ---- research and communities ------------------------------------------------------------

  private agree(purpose: OptInPurpose): Promise<void> {
    return this.act(purpose, `consent-${purpose}-title`, async () => {
      // An earlier "no" would outweigh the new "yes": it goes first.
      await this.withdrawAll(this.inForce(purpose).filter((c) => c.decision === 'deny'));
      this.remember(await grantConsent({ purpose, decision: 'permit' }));
      return t(OPT_IN_TEXT[purpose].granted);
    });
  }

  private withdraw(purpose: OptInPurpose): Promise<void> {
    return this.act(purpose, `consent-${purpose}-title`, async () => {
      await this.withdrawAll(this.inForce(purpose).filter((c) => c.decision === 'permit'));
      return t(OPT_IN_TEXT[purpose].withdrawn);
    });
  }

  // ---- organisations -----------------------------------------------------------------------

  private validateOrg(): FieldErrorsOf<typeof ORG_VALUES> {
    const { organization, until } = this.orgForm.values;
    const errors: FieldErrorsOf<typeof ORG_VALUES> = {};
    if (organization.trim().length < 2) errors.organization = t('validation.organizationRequired');
    if (until) {
      const end = endOfLocalDay(until);
      if (!end || end.getTime() <= Date.now() || until < tomorrowInputValue()) {
        errors.until = t('validation.dateInFuture');
      }
    }
    return errors;
  }

  private async share(event: SubmitEvent): Promise<void> {
    const form = this.orgForm;
    const { organization, until } = form.values;
    const request: ConsentRequest = {
      purpose: 'org-sharing',
      decision: 'permit',
      organization: organization.trim(),
    };
    const end = until ? endOfLocalDay(until) : null;
    if (end) request.period_end = end.toISOString();
    const sent = await form.submit(event, {
      validate: () => this.validateOrg(),
      send: () => grantConsent(request),
    });
    if (!sent) return;
    const consent = sent.result;
    this.remember(consent);
    form.reset();
    await this.say(t('consents.orgSharing.sharedNotice', { organization: consent.organization ?? '' }));
    await this.focusById('consent-org-sharing-title');
  }

  private stopSharing(consent: Consent): Promise<void> {
    return this.act(`org-${consent.id}`, 'consent-org-sharing-title', async () => {
      this.remember(await withdrawConsent(consent.id));
      return t('consents.orgSharing.stoppedNotice', { organization: consent.organization ?? '' });
    });
  }

  // ---- rendering ---------------------------------------------------------------------------

  private renderState(allowed: boolean, text: string) {
    return html`
      <p class="consent__state">
        <span class="badge ${allowed ? 'badge--on' : 'badge--off'}">
          ${allowed ? t('consents.allowed') : t('consents.notAllowed')}
        </span>
        ${text}
      </p>
    `;
  }

  private busyAttr(name: string): 'true' | 'false' {
    return this.busy === name ? 'true' : 'false';
  }

  private renderTreatment() {
    const refused = this.treatmentRefused();
    let actions;
    if (refused) {
      actions = html`
        <button class="button button--secondary" type="button" aria-disabled=${this.busyAttr('treatment')} @click=${this.allowTreatment}>
          ${this.busy === 'treatment' ? t('form.working') : t('consents.treatment.allow')}
        </button>
      `;
    } else if (this.confirmingRefusal) {
      actions = html`
        <div class="confirm" role="group" aria-labelledby="treatment-confirm">
          <p id="treatment-confirm" tabindex="-1">${t('consents.treatment.confirm')}</p>
          <div class="actions">
            <button class="button button--danger" type="button" aria-disabled=${this.busyAttr('treatment')} @click=${this.refuseTreatment}>
              ${this.busy === 'treatment' ? t('form.working') : t('consents.treatment.confirmYes')}
            </button>
            <button class="button button--quiet" type="button" @click=${this.cancelRefusal}>${t('form.cancel')}</button>
          </div>
        </div>
      `;
    } else {
      actions = html`
        <button class="button button--secondary" id="treatment-refuse" type="button" @click=${this.askToRefuse}>
          ${t('consents.treatment.refuse')}
        </button>
      `;
    }
    return html`
      <li class="consent">
        <h3 id="consent-treatment-title" tabindex="-1">${t('consents.treatment.title')}</h3>
        <p class="consent__explain">${t('consents.treatment.explain')}</p>
        ${this.renderState(!refused, refused ? t('consents.treatment.off') : t('consents.treatment.on'))}
        ${actions}
      </li>
    `;
  }

  private renderOptIn(purpose: OptInPurpose) {
    const text = OPT_IN_TEXT[purpose];
    const on = this.optedIn(purpose);
    const busy = this.busy === purpose;
    return html`
      <li class="consent">
        <h3 id="consent-${purpose}-title" tabindex="-1">${t(text.title)}</h3>
        <p class="consent__explain">${t(text.explain)}</p>
        ${this.renderState(on, on ? t(text.on) : t(text.off))}
        ${on
          ? html`<button class="button button--secondary" type="button" aria-disabled=${this.busyAttr(purpose)} @click=${() => this.withdraw(purpose)}>
              ${busy ? t('form.working') : t(text.withdraw)}
            </button>`
          : html`<button class="button button--primary" type="button" aria-disabled=${this.busyAttr(purpose)} @click=${() => this.agree(purpose)}>
              ${busy ? t('form.working') : t(text.grant)}
            </button>`}
      </li>
    `;
  }

  private renderOrgSharing() {
    const shares = this.inForce('org-sharing').filter((c) => c.decision === 'permit');
    const form = this.orgForm;
    return html`
      <li class="consent">
        <h3 id="consent-org-sharing-title" tabindex="-1">${t('consents.orgSharing.title')}</h3>
        <p class="consent__explain">${t('consents.orgSharing.explain')}</p>
        ${shares.length === 0
          ? this.renderState(false, t('consents.orgSharing.none'))
          : html`
              <ul class="item-list" role="list">
                ${shares.map(
                  (consent) => html`
                    <li class="item">
                      <p class="item__title">
                        <span class="badge badge--on">${t('consents.allowed')}</span>
                        ${t('consents.orgSharing.sharedWith', { organization: consent.organization ?? '' })}
                      </p>
                      <p class="item__meta">
                        ${consent.period_end
                          ? t('consents.orgSharing.until', { date: formatDate(consent.period_end) })
                          : t('consents.orgSharing.noEnd')}
                      </p>
                      <button
                        class="button button--quiet"
                        type="button"
                        aria-disabled=${this.busyAttr(`org-${consent.id}`)}
                        @click=${() => this.stopSharing(consent)}
                      >
                        ${t('consents.orgSharing.stop', { organization: consent.organization ?? '' })}
                      </button>
                    </li>
                  `,
                )}
              </ul>
            `}
        <form class="subform" novalidate @submit=${this.share} aria-labelledby="org-form-title">
          <h4 id="org-form-title">${t('consents.orgSharing.formTitle')}</h4>
          ${textField({
            ...form.field('organization'),
            label: t('field.organization'),
            autocomplete: 'organization',
            maxlength: 200,
          })}
          ${textField({
            ...form.field('until'),
            label: t('field.shareUntil'),
            type: 'date',
            hint: t('field.shareUntilHint'),
            required: false,
            min: tomorrowInputValue(),
          })}
          <div class="actions">
            <button class="button button--primary" type="submit" aria-disabled=${this.busyAttr('org-sharing')}>
              ${this.busy === 'org-sharing' ? t('form.working') : t('consents.orgSharing.submit')}
            </button>
          </div>
        </form>
      </li>
    `;
  }

  private renderBody() {
    return html`
      ${this.renderMessages()}
      <ul class="consent-list" role="list">
        ${this.renderTreatment()} ${this.renderOptIn('research')} ${this.renderOptIn('community')}
        ${this.renderOrgSharing()}
      </ul>
    `;
  }

  override render() {
    return html`
      <section class="panel" id="consents" aria-labelledby="consents-title">
        <h2 id="consents-title">${t('consents.title')}</h2>
        <p>${t('consents.intro')}</p>
        ${this.consents.render(() => this.renderBody())}
      </section>
    `;
  }
}

customElements.define('cv-consent-choices', ConsentChoices);

declare global {
  interface HTMLElementTagNameMap {
    'cv-consent-choices': ConsentChoices;
  }
}
