import { html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { ApiError, hasErrorCode } from '../../api/http';
import { delegations, grantDelegation, revokeDelegation, type Delegation } from '../../api/privacy';
import { describeError, looksLikeEmail, placeFieldErrors } from '../../components/errors';
import { describedBy, fieldError, textField } from '../../components/fields';
import { renderLoadFailure, renderLoading } from '../../components/load-state';
import { SCOPES, scopeLabel, sortScopes } from '../../components/scopes';
import { t } from '../../i18n';
import { endOfLocalDay, formatDate, tomorrowInputValue } from '../../i18n/format';
import { PrivacySection } from './section';

type Field = 'email' | 'scopes' | 'expiry';
type Errors = Partial<Record<Field, string>>;

const FIELD_IDS: Record<Field, string> = {
  email: 'delegate-email',
  scopes: 'scope-record-read',
  expiry: 'delegate-until',
};

/**
 * "People who can act for me": the patient's caregiver delegations, each with what it allows
 * and until when; a form to give a caregiver access; and removing it at once.
 */
export class CaregiverAccess extends PrivacySection {
  static override properties = {
    delegations: { state: true },
    loadError: { state: true },
    email: { state: true },
    scopes: { state: true },
    until: { state: true },
    errors: { state: true },
    busy: { state: true },
  };

  declare delegations: Delegation[] | null;
  declare loadError: string;
  declare email: string;
  declare scopes: ReadonlySet<string>;
  declare until: string;
  declare errors: Errors;
  /** The action in progress (`grant`, or the id of a delegation being removed). */
  declare busy: string;

  constructor() {
    super();
    this.delegations = null;
    this.loadError = '';
    this.email = '';
    this.scopes = new Set();
    this.until = '';
    this.errors = {};
    this.busy = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = '';
    this.delegations = null;
    try {
      this.delegations = await delegations();
    } catch (error) {
      this.loadError = describeError(error);
    }
  }

  private toggle(scope: string, checked: boolean): void {
    const next = new Set(this.scopes);
    const [category, mode] = scope.split(':');
    if (checked) {
      next.add(scope);
      // Changing something means seeing it too.
      if (mode === 'write') next.add(`${category}:read`);
    } else {
      next.delete(scope);
      if (mode === 'read') next.delete(`${category}:write`);
    }
    this.scopes = next;
  }

  private validate(): Errors {
    const errors: Errors = {};
    if (!this.email.trim()) errors.email = t('validation.emailRequired');
    else if (!looksLikeEmail(this.email)) errors.email = t('validation.emailInvalid');
    if (this.scopes.size === 0) errors.scopes = t('validation.scopesRequired');
    if (!this.until) errors.expiry = t('validation.expiryRequired');
    else {
      const end = endOfLocalDay(this.until);
      if (!end || end.getTime() <= Date.now() || this.until < tomorrowInputValue()) {
        errors.expiry = t('validation.dateInFuture');
      }
    }
    return errors;
  }

  private async showErrors(errors: Errors, summary: string): Promise<void> {
    this.errors = errors;
    await this.failWith(summary);
    const first = (['email', 'scopes', 'expiry'] as const).find((field) => errors[field]);
    if (first) await this.focusById(FIELD_IDS[first]);
  }

  private async grant(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const errors = this.validate();
    if (Object.keys(errors).length > 0) {
      await this.showErrors(errors, t('form.errorSummary'));
      return;
    }
    const end = endOfLocalDay(this.until);
    if (!end) return;
    this.errors = {};
    this.clearMessages();
    this.busy = 'grant';
    try {
      const granted = await grantDelegation({
        caregiver_email: this.email.trim(),
        scopes: sortScopes([...this.scopes]),
        expires_at: end.toISOString(),
      });
      this.delegations = [granted, ...(this.delegations ?? []).filter((d) => d.id !== granted.id)];
      this.email = '';
      this.scopes = new Set();
      this.until = '';
      this.busy = '';
      await this.say(
        t('delegations.grantedNotice', {
          name: granted.caregiver_name,
          date: formatDate(granted.expires_at),
        }),
      );
      await this.focusById('delegations-title');
    } catch (error) {
      this.busy = '';
      await this.grantFailed(error);
    }
  }

  private async grantFailed(error: unknown): Promise<void> {
    if (hasErrorCode(error, 'caregiver_not_found')) {
      await this.showErrors({ email: t('validation.caregiverNotFound') }, t('form.errorSummary'));
      return;
    }
    if (error instanceof ApiError) {
      const { errors, unplaced } = placeFieldErrors(error, {
        caregiver_email: 'email',
        scopes: 'scopes',
        expires_at: 'expiry',
      } as const);
      if (Object.keys(errors).length > 0) {
        await this.showErrors(errors, [t('form.errorSummary'), ...unplaced].join(' '));
        return;
      }
    }
    await this.fail(error);
  }

  private revoke(delegation: Delegation): Promise<void> {
    return this.act(delegation.id, 'delegations-title', async () => {
      await revokeDelegation(delegation.id);
      this.delegations = (this.delegations ?? []).filter((d) => d.id !== delegation.id);
      return t('delegations.revokedNotice', { name: delegation.caregiver_name });
    });
  }

  // ---- rendering ---------------------------------------------------------------------------

  private renderDelegation(delegation: Delegation) {
    const titleId = `delegation-${delegation.id}`;
    return html`
      <li class="item">
        <h3 class="item__title" id=${titleId}>${delegation.caregiver_name}</h3>
        <p class="item__meta">${t('delegations.until', { date: formatDate(delegation.expires_at) })}</p>
        <p class="item__label">${t('delegations.canDo')}</p>
        <ul class="scope-list">
          ${sortScopes(delegation.scopes).map((scope) => html`<li>${scopeLabel(scope, 'patient')}</li>`)}
        </ul>
        <button
          class="button button--quiet"
          type="button"
          aria-disabled=${this.busy === delegation.id ? 'true' : 'false'}
          @click=${() => this.revoke(delegation)}
        >
          ${this.busy === delegation.id
            ? t('form.working')
            : t('delegations.revoke', { name: delegation.caregiver_name })}
        </button>
      </li>
    `;
  }

  private renderScopes() {
    const error = this.errors.scopes;
    const hintId = 'delegate-scopes-hint';
    return html`
      <fieldset
        class="field ${error ? 'field--invalid' : ''}"
        aria-describedby=${ifDefined(describedBy('delegate-scopes', hintId, error))}
      >
        <legend>${t('field.scopes')}</legend>
        <p class="field-hint" id=${hintId}>${t('field.scopesHint')}</p>
        ${fieldError('delegate-scopes', error)}
        <div class="scope-grid">
          ${SCOPES.map((scope) => {
            const id = `scope-${scope.replace(':', '-')}`;
            return html`
              <div class="choice">
                <input
                  id=${id}
                  type="checkbox"
                  name="scopes"
                  value=${scope}
                  .checked=${this.scopes.has(scope)}
                  aria-invalid=${error ? 'true' : 'false'}
                  @change=${(event: Event) => this.toggle(scope, (event.target as HTMLInputElement).checked)}
                />
                <label for=${id}>${scopeLabel(scope, 'patient')}</label>
              </div>
            `;
          })}
        </div>
      </fieldset>
    `;
  }

  private renderForm() {
    const errors = this.errors;
    return html`
      <form class="subform" novalidate @submit=${this.grant} aria-labelledby="delegate-form-title">
        <h3 id="delegate-form-title">${t('delegations.formTitle')}</h3>
        ${textField({
          id: FIELD_IDS.email,
          label: t('field.caregiverEmail'),
          type: 'email',
          hint: t('field.caregiverEmailHint'),
          value: this.email,
          error: errors.email,
          autocomplete: 'off',
          inputmode: 'email',
          onInput: (value) => (this.email = value),
        })}
        ${this.renderScopes()}
        ${textField({
          id: FIELD_IDS.expiry,
          label: t('field.expiresOn'),
          type: 'date',
          hint: t('field.expiresOnHint'),
          value: this.until,
          error: errors.expiry,
          min: tomorrowInputValue(),
          onInput: (value) => (this.until = value),
        })}
        <div class="actions">
          <button class="button button--primary" type="submit" aria-disabled=${this.busy === 'grant' ? 'true' : 'false'}>
            ${this.busy === 'grant' ? t('form.working') : t('delegations.submit')}
          </button>
        </div>
      </form>
    `;
  }

  private renderBody() {
    if (this.loadError) {
      return renderLoadFailure(this.loadError, this.load);
    }
    if (this.delegations === null) return renderLoading();
    const active = this.delegations.filter((d) => d.active);
    return html`
      ${this.renderMessages()}
      ${active.length === 0
        ? html`<p class="empty">${t('delegations.empty')}</p>`
        : html`<ul class="item-list" role="list" aria-labelledby="delegations-title">
            ${active.map((d) => this.renderDelegation(d))}
          </ul>`}
      ${this.renderForm()}
    `;
  }

  override render() {
    return html`
      <section class="panel" id="delegations" aria-labelledby="delegations-title">
        <h2 id="delegations-title" tabindex="-1">${t('delegations.title')}</h2>
        <p>${t('delegations.intro')}</p>
        ${this.renderBody()}
      </section>
    `;
  }
}

customElements.define('cv-caregiver-access', CaregiverAccess);

declare global {
  interface HTMLElementTagNameMap {
    'cv-caregiver-access': CaregiverAccess;
  }
}
