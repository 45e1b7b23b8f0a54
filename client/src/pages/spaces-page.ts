import { html, nothing } from 'lit';
import type { Account } from '../api/auth';
import { ApiError } from '../api/http';
import {
  createSpace,
  isTemplateKey,
  listSpaces,
  SPACE_CREATORS,
  TEMPLATE_KEYS,
  type Space,
  type SpaceAccess,
  type TemplateKey,
} from '../api/world';
import { placeFieldErrors } from '../components/errors';
import { LightElement } from '../components/light-element';
import { renderLoading } from '../components/load-state';
import { FormController, type FieldErrorsOf } from '../controllers/form';
import { LoadingController } from '../controllers/loading';
import { t, type MessageKey } from '../i18n';
import { navigate } from '../router';
import '../world/world.css';

export function templateName(template: string): string {
  return isTemplateKey(template) ? t(`world.template.${template}` as MessageKey) : template;
}

const ACCESS: readonly SpaceAccess[] = ['members', 'invite', 'listed'];

function templateDescription(template: TemplateKey): string {
  return t(`world.template.${template}.description` as MessageKey);
}

interface NewSpaceValues {
  name: string;
  template: TemplateKey;
  access: SpaceAccess;
  capacity: string;
}

/** The spaces a person can enter, and (for clinicians, moderators and admins) a new one. */
export class SpacesPage extends LightElement {
  static override properties = {
    account: { attribute: false },
  };

  declare account: Account | null;

  /** The list stays on screen (and its error in its alert region) while it is refreshed. */
  private spaces = new LoadingController(this, () => listSpaces(), { keep: true });

  private form = new FormController<NewSpaceValues>(this, {
    values: { name: '', template: TEMPLATE_KEYS[0], access: 'members', capacity: '' },
    ids: { name: 'space-name', capacity: 'space-capacity' },
    summary: false,
  });

  constructor() {
    super();
    this.account = null;
  }

  private get mayCreate(): boolean {
    return this.account !== null && SPACE_CREATORS.includes(this.account.role);
  }

  private validate(): FieldErrorsOf<NewSpaceValues> {
    const { name, capacity } = this.form.values;
    const errors: FieldErrorsOf<NewSpaceValues> = {};
    if (!name.trim()) errors.name = t('world.spaces.nameRequired');
    const number = capacity.trim() ? Number(capacity.trim()) : undefined;
    if (number !== undefined && (!Number.isInteger(number) || number < 1)) {
      errors.capacity = t('world.spaces.capacityInvalid');
    }
    return errors;
  }

  private async onCreate(event: SubmitEvent): Promise<void> {
    const form = this.form;
    const { name, template, access, capacity } = form.values;
    const sent = await form.submit(event, {
      validate: () => this.validate(),
      send: () =>
        createSpace({
          name: name.trim(),
          template,
          access,
          capacity: capacity.trim() ? Number(capacity.trim()) : undefined,
        }),
      failed: async (error) => {
        // The fields' own messages beside them, and all of it in the alert region.
        if (error instanceof ApiError) {
          form.errors = placeFieldErrors(error, { name: 'name', capacity: 'capacity' } as const).errors;
        }
        await form.feedback.fail(error);
        return true;
      },
    });
    if (sent) navigate(`/spaces/${sent.result.id}`);
  }

  private renderSpace(space: Space) {
    const full = space.present >= space.capacity;
    return html`
      <li class="space-card" data-space-id=${space.id}>
        <h3 class="space-card__title">
          <a href="/spaces/${space.id}" aria-describedby="space-${space.id}-about">${space.name}</a>
        </h3>
        <p class="space-card__about" id="space-${space.id}-about">
          ${templateName(space.template)} ·
          ${t('world.spaces.present', { count: space.present, capacity: space.capacity })}
          ${full ? html` · <strong>${t('world.spaces.full')}</strong>` : nothing}
        </p>
        <p class="space-card__meta">
          ${t(`world.access.${space.access}` as MessageKey)}
          ${space.facilitator ? html` · ${t('world.spaces.youFacilitate')}` : nothing}
        </p>
      </li>
    `;
  }

  private renderCreate() {
    const form = this.form;
    const { values, errors } = form;
    const error = (field: 'name' | 'capacity') =>
      errors[field] ? html`<p class="field-error" id="space-${field}-error">${errors[field]}</p>` : nothing;
    return html`
      <section class="panel" aria-labelledby="create-space-title">
        <h2 id="create-space-title">${t('world.spaces.createTitle')}</h2>
        <div class="form-error" role="alert">${form.feedback.error || nothing}</div>
        <form @submit=${this.onCreate} novalidate>
          <div class="field ${errors.name ? 'field--invalid' : ''}">
            <label for="space-name">${t('world.spaces.name')}</label>
            <input
              id="space-name"
              name="name"
              type="text"
              maxlength="120"
              required
              autocomplete="off"
              .value=${values.name}
              @input=${(e: Event) => form.set('name', (e.target as HTMLInputElement).value)}
              aria-invalid=${errors.name ? 'true' : 'false'}
              aria-describedby=${errors.name ? 'space-name-error' : nothing}
            />
            ${error('name')}
          </div>
          <div class="field">
            <label for="space-template">${t('world.spaces.template')}</label>
            <select
              id="space-template"
              name="template"
              @change=${(e: Event) => form.set('template', (e.target as HTMLSelectElement).value as TemplateKey)}
            >
              ${TEMPLATE_KEYS.map(
                (key) =>
                  html`<option value=${key} ?selected=${values.template === key}>${templateName(key)} — ${templateDescription(key)}</option>`,
              )}
            </select>
          </div>
          <div class="field">
            <label for="space-access">${t('world.spaces.access')}</label>
            <select
              id="space-access"
              name="access"
              @change=${(e: Event) => form.set('access', (e.target as HTMLSelectElement).value as SpaceAccess)}
            >
              ${ACCESS.map(
                (access) =>
                  html`<option value=${access} ?selected=${values.access === access}>${t(`world.access.${access}` as MessageKey)}</option>`,
              )}
            </select>
          </div>
          <div class="field ${errors.capacity ? 'field--invalid' : ''}">
            <label for="space-capacity">
              ${t('world.spaces.capacity')}<span class="field-optional">${t('world.spaces.optional')}</span>
            </label>
            <p class="field-hint" id="space-capacity-hint">${t('world.spaces.capacityHint')}</p>
            <input
              id="space-capacity"
              name="capacity"
              type="number"
              min="1"
              max="1000"
              inputmode="numeric"
              .value=${values.capacity}
              @input=${(e: Event) => form.set('capacity', (e.target as HTMLInputElement).value)}
              aria-invalid=${errors.capacity ? 'true' : 'false'}
              aria-describedby=${errors.capacity ? 'space-capacity-hint space-capacity-error' : 'space-capacity-hint'}
            />
            ${error('capacity')}
          </div>
          <div class="actions">
            <button class="button button--primary" type="submit" aria-disabled=${form.submitting ? 'true' : 'false'}>
              ${form.submitting ? t('world.spaces.creating') : t('world.spaces.create')}
            </button>
          </div>
        </form>
      </section>
    `;
  }

  override render() {
    const spaces = this.spaces;
    const list = spaces.value ?? [];
    return html`
      <div class="panel">
        <h1>${t('area.spaces.title')}</h1>
        <p class="lead">${t('world.spaces.intro')}</p>
      </div>
      <section class="panel" aria-labelledby="spaces-list-title" aria-busy=${spaces.loading ? 'true' : 'false'}>
        <h2 id="spaces-list-title">${t('world.spaces.listTitle')}</h2>
        <div class="form-error" role="alert">${spaces.error || nothing}</div>
        ${spaces.loading
          ? renderLoading()
          : list.length === 0
            ? html`<p class="empty">${t('world.spaces.empty')}</p>`
            : html`<ul class="space-list" role="list">${list.map((s) => this.renderSpace(s))}</ul>`}
        <p><button class="button button--quiet" type="button" @click=${spaces.load}>${t('world.spaces.refresh')}</button></p>
      </section>
      ${this.mayCreate ? this.renderCreate() : nothing}
    `;
  }
}

customElements.define('cv-spaces', SpacesPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-spaces': SpacesPage;
  }
}
