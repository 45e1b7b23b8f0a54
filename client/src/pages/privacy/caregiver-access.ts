import { html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { hasErrorCode } from '../../api/http';
import { delegations, grantDelegation, revokeDelegation, type Delegation } from '../../api/privacy';
import { looksLikeEmail } from '../../components/errors';
import { describedBy, fieldError, textField } from '../../components/fields';
import { SCOPES, scopeLabel, sortScopes } from '../../components/scopes';
import { FormController, type FieldErrorsOf } from '../../controllers/form';
import { LoadingController } from '../../controllers/loading';
import { t } from '../../i18n';
import { endOfLocalDay, formatDate, tomorrowInputValue } from '../../i18n/format';
import { PrivacySection } from './section';

interface GrantValues {
  email: string;
  scopes: ReadonlySet<string>;
  expiry: string;
}

/**
 * "People who can act for me": the patient's caregiver delegations, each with what it allows
 * and until when; a form to give a caregiver access; and removing it at once.
 */
export class CaregiverAccess extends PrivacySection {
  private delegations = new LoadingController(this, () => delegations());

  private form = new FormController<GrantValues>(this, {
    values: { email: '', scopes: new Set(), expiry: '' },
    ids: { email: 'delegate-email', scopes: 'scope-record-read', expiry: 'delegate-until' },
    serverFields: { caregiver_email: 'email', scopes: 'scopes', expires_at: 'expiry' },
    feedback: this.feedback,
    action: 'grant',
  });

  private toggle(scope: string, checked: boolean): void {
    const next = new Set(this.form.values.scopes);
    const [category, mode] = scope.split(':');
    if (checked) {
      next.add(scope);
      // Changing something means seeing it too.
      if (mode === 'write') next.add(`${category}:read`);
    } else {
      next.delete(scope);
      if (mode === 'read') next.delete(`${category}:write`);
    }
    this.form.set('scopes', next);
  }

  private validate(): FieldErrorsOf<GrantValues> {
    const { email, scopes, expiry } = this.form.values;
    const errors: FieldErrorsOf<GrantValues> = {};
    if (!email.trim()) errors.email = t('validation.emailRequired');
    else if (!looksLikeEmail(email)) errors.email = t('validation.emailInvalid');
    if (scopes.size === 0) errors.scopes = t('validation.scopesRequired');
    if (!expiry) errors.expiry = t('validation.expiryRequired');
    else {
      const end = endOfLocalDay(expiry);
      if (!end || end.getTime() <= Date.now() || expiry < tomorrowInputValue()) {
        errors.expiry = t('validation.dateInFuture');
      }
    }
    return errors;
  }

  private async grant(event: SubmitEvent): Promise<void> {
    const form = this.form;
    const { email, scopes, expiry } = form.values;
    const sent = await form.submit(event, {
      validate: () => this.validate(),
      send: () =>
        grantDelegation({
          caregiver_email: email.trim(),
          scopes: sortScopes([...scopes]),
          // validate() made sure that the day parses and lies ahead.
          expires_at: endOfLocalDay(expiry)!.toISOString(),
        }),
      failed: async (error) => {
        if (!hasErrorCode(error, 'caregiver_not_found')) return false;
        await form.showErrors({ email: t('validation.caregiverNotFound') });
        return true;
      },
    });
    if (!sent) return;
    const made = sent.result;
    this.delegations.value = [made, ...(this.delegations.value ?? []).filter((d) => d.id !== made.id)];
    form.reset();
    await this.say(
      t('delegations.grantedNotice', {
        name: made.caregiver_name,
        date: formatDate(made.expires_at),
      }),
    );
    await this.focusById('delegations-title');
  }

  private revoke(delegation: Delegation): Promise<void> {
    return this.act(delegation.id, 'delegations-title', async () => {
      await revokeDelegation(delegation.id);
      this.delegations.value = (this.delegations.value ?? []).filter((d) => d.id !== delegation.id);
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
    const error = this.form.errors.scopes;
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
                  .checked=${this.form.values.scopes.has(scope)}
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
    const form = this.form;
    return html`
      <form class="subform" novalidate @submit=${this.grant} aria-labelledby="delegate-form-title">
        <h3 id="delegate-form-title">${t('delegations.formTitle')}</h3>
        ${textField({
          ...form.field('email'),
          label: t('field.caregiverEmail'),
          type: 'email',
          hint: t('field.caregiverEmailHint'),
          autocomplete: 'off',
          inputmode: 'email',
        })}
        ${this.renderScopes()}
        ${textField({
          ...form.field('expiry'),
          label: t('field.expiresOn'),
          type: 'date',
          hint: t('field.expiresOnHint'),
          min: tomorrowInputValue(),
        })}
        <div class="actions">
          <button class="button button--primary" type="submit" aria-disabled=${form.submitting ? 'true' : 'false'}>
            ${form.submitting ? t('form.working') : t('delegations.submit')}
          </button>
        </div>
      </form>
    `;
  }

  private renderBody(list: Delegation[]) {
    const active = list.filter((d) => d.active);
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
        ${this.delegations.render((list) => this.renderBody(list))}
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
