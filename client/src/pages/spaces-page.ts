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
import { describeError } from '../components/errors';
import { LightElement } from '../components/light-element';
import { t, type MessageKey } from '../i18n';
import { navigate } from '../router';
import '../world/world.css';

export function templateName(template: string): string {
  return isTemplateKey(template) ? t(`world.template.${template}` as MessageKey) : template;
}

function templateDescription(template: TemplateKey): string {
  return t(`world.template.${template}.description` as MessageKey);
}

/** The spaces a person can enter, and (for clinicians, moderators and admins) a new one. */
export class SpacesPage extends LightElement {
  static override properties = {
    account: { attribute: false },
    spaces: { state: true },
    loading: { state: true },
    error: { state: true },
    createError: { state: true },
    fieldErrors: { state: true },
    creating: { state: true },
  };

  declare account: Account | null;
  declare spaces: Space[];
  declare loading: boolean;
  declare error: string;
  declare createError: string;
  declare fieldErrors: Record<string, string>;
  declare creating: boolean;

  constructor() {
    super();
    this.account = null;
    this.spaces = [];
    this.loading = true;
    this.error = '';
    this.createError = '';
    this.fieldErrors = {};
    this.creating = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loading = true;
    try {
      this.spaces = await listSpaces();
      this.error = '';
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.loading = false;
    }
  }

  private get mayCreate(): boolean {
    return this.account !== null && SPACE_CREATORS.includes(this.account.role);
  }

  private async onCreate(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.creating) return;
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const template = String(data.get('template') ?? '');
    const capacityText = String(data.get('capacity') ?? '').trim();
    const errors: Record<string, string> = {};
    if (!name) errors.name = t('world.spaces.nameRequired');
    const capacity = capacityText ? Number(capacityText) : undefined;
    if (capacity !== undefined && (!Number.isInteger(capacity) || capacity < 1)) {
      errors.capacity = t('world.spaces.capacityInvalid');
    }
    this.fieldErrors = errors;
    this.createError = '';
    if (Object.keys(errors).length > 0 || !isTemplateKey(template)) {
      await this.focusById(errors.name ? 'space-name' : 'space-capacity');
      return;
    }
    this.creating = true;
    try {
      const space = await createSpace({
        name,
        template,
        access: String(data.get('access') ?? 'members') as SpaceAccess,
        capacity,
      });
      navigate(`/spaces/${space.id}`);
    } catch (error) {
      if (error instanceof ApiError && Object.keys(error.fieldErrors).length > 0) {
        this.fieldErrors = error.fieldErrors;
      }
      this.createError = describeError(error);
    } finally {
      this.creating = false;
    }
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
    const errors = this.fieldErrors;
    const error = (field: string) =>
      errors[field] ? html`<p class="field-error" id="space-${field}-error">${errors[field]}</p>` : nothing;
    return html`
      <section class="panel" aria-labelledby="create-space-title">
        <h2 id="create-space-title">${t('world.spaces.createTitle')}</h2>
        <div class="form-error" role="alert">${this.createError || nothing}</div>
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
              aria-invalid=${errors.name ? 'true' : 'false'}
              aria-describedby=${errors.name ? 'space-name-error' : nothing}
            />
            ${error('name')}
          </div>
          <div class="field">
            <label for="space-template">${t('world.spaces.template')}</label>
            <select id="space-template" name="template">
              ${TEMPLATE_KEYS.map(
                (key) => html`<option value=${key}>${templateName(key)} — ${templateDescription(key)}</option>`,
              )}
            </select>
          </div>
          <div class="field">
            <label for="space-access">${t('world.spaces.access')}</label>
            <select id="space-access" name="access">
              <option value="members">${t('world.access.members')}</option>
              <option value="invite">${t('world.access.invite')}</option>
              <option value="listed">${t('world.access.listed')}</option>
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
              aria-invalid=${errors.capacity ? 'true' : 'false'}
              aria-describedby=${errors.capacity ? 'space-capacity-hint space-capacity-error' : 'space-capacity-hint'}
            />
            ${error('capacity')}
          </div>
          <div class="actions">
            <button class="button button--primary" type="submit" aria-disabled=${this.creating ? 'true' : 'false'}>
              ${this.creating ? t('world.spaces.creating') : t('world.spaces.create')}
            </button>
          </div>
        </form>
      </section>
    `;
  }

  override render() {
    return html`
      <div class="panel">
        <h1>${t('area.spaces.title')}</h1>
        <p class="lead">${t('world.spaces.intro')}</p>
      </div>
      <section class="panel" aria-labelledby="spaces-list-title" aria-busy=${this.loading ? 'true' : 'false'}>
        <h2 id="spaces-list-title">${t('world.spaces.listTitle')}</h2>
        <div class="form-error" role="alert">${this.error || nothing}</div>
        ${this.loading
          ? html`<p class="loading" role="status">${t('app.loading')}</p>`
          : this.spaces.length === 0
            ? html`<p class="empty">${t('world.spaces.empty')}</p>`
            : html`<ul class="space-list" role="list">${this.spaces.map((s) => this.renderSpace(s))}</ul>`}
        <p><button class="button button--quiet" type="button" @click=${() => this.load()}>${t('world.spaces.refresh')}</button></p>
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
