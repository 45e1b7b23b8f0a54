import { html, nothing } from 'lit';
import {
  createAccount,
  searchAccounts,
  sendPasswordReset,
  setAccountActive,
  type AccountRole,
  type AccountSearch,
  type AdminAccount,
} from '../../api/admin';
import { LightElement } from '../../components/light-element';
import { LoadingController } from '../../controllers/loading';
import { Feedback } from '../../controllers/feedback';
import { t, type MessageKey } from '../../i18n';
import './admin.css';

const ROLES: readonly AccountRole[] = [
  'patient',
  'caregiver',
  'clinician',
  'moderator',
  'researcher',
  'admin',
];

type StateFilter = '' | 'active' | 'inactive';

/**
 * The admin's "Accounts": find people by name or address, role and state; create an account
 * (the person sets a password through an e-mailed link); turn an account off or on again; and
 * e-mail a password reset to the person's own address (the admin never sees the link).
 */
export class AccountsPage extends LightElement {
  static override properties = {
    query: { state: true },
    role: { state: true },
    state: { state: true },
    created: { state: true },
  };

  declare query: string;
  declare role: AccountRole | '';
  declare state: StateFilter;
  /** What creating an account answered: who, and a link to hand over when mail is off. */
  declare created: { name: string; link: string | null } | null;

  private readonly feedback = new Feedback(this);
  private readonly createFeedback = new Feedback(this);
  private search: AccountSearch = {};
  private accounts = new LoadingController(this, () => searchAccounts(this.search), { keep: true });

  constructor() {
    super();
    this.query = '';
    this.role = '';
    this.state = '';
    this.created = null;
  }

  private async onSearch(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const q = this.query.trim();
    this.search = {
      ...(q ? { q } : {}),
      ...(this.role ? { role: this.role } : {}),
      ...(this.state ? { active: this.state === 'active' } : {}),
    };
    await this.accounts.load();
    const found = this.accounts.value?.length ?? 0;
    await this.feedback.say(t('admin.accounts.found', { count: found }));
  }

  private async toggle(account: AdminAccount): Promise<void> {
    const turningOff = account.is_active;
    const done = await this.feedback.run(account.id, async () => {
      const updated = await setAccountActive(account.id, !turningOff);
      this.accounts.value = (this.accounts.value ?? []).map((a) => (a.id === updated.id ? updated : a));
    });
    if (!done) return;
    const key: MessageKey = turningOff ? 'admin.accounts.turnedOff' : 'admin.accounts.turnedOn';
    await this.feedback.say(t(key, { name: account.display_name }));
  }

  private async reset(account: AdminAccount): Promise<void> {
    const done = await this.feedback.run(account.id, () => sendPasswordReset(account.id).then(() => undefined));
    if (done) await this.feedback.say(t('admin.accounts.resetSent', { name: account.display_name }));
  }

  private async onCreate(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const email = String(data.get('email') ?? '').trim();
    const name = String(data.get('display_name') ?? '').trim();
    const role = String(data.get('role') ?? 'clinician') as AccountRole;
    if (!email || !name) {
      await this.createFeedback.failWith(t('admin.accounts.createMissing'));
      return;
    }
    this.created = null;
    let link: string | null = null;
    const done = await this.createFeedback.run('create', async () => {
      const answer = await createAccount({ email, display_name: name, role });
      link = answer.reset_url ?? null;
      this.created = { name: answer.account.display_name, link };
      form.reset();
    });
    if (!done) return;
    const key: MessageKey = link ? 'admin.accounts.createdHandOver' : 'admin.accounts.createdMailed';
    await this.createFeedback.say(t(key, { name }));
    await this.accounts.load();
  }

  private renderRow(account: AdminAccount) {
    const busy = this.feedback.busy === account.id;
    return html`
      <tr>
        <th scope="row">${account.display_name}</th>
        <td class="admin-email">${account.email}</td>
        <td>${t(`role.${account.role}` as MessageKey)}</td>
        <td>
          <span class="badge ${account.is_active ? 'badge--on' : 'badge--off'}">
            ${account.is_active ? t('admin.accounts.active') : t('admin.accounts.inactive')}
          </span>
        </td>
        <td class="admin-actions">
          <button
            class="button button--secondary"
            type="button"
            aria-disabled=${busy ? 'true' : 'false'}
            aria-label=${t(account.is_active ? 'admin.accounts.turnOffFor' : 'admin.accounts.turnOnFor', {
              name: account.display_name,
            })}
            @click=${() => this.toggle(account)}
          >
            ${account.is_active ? t('admin.accounts.turnOff') : t('admin.accounts.turnOn')}
          </button>
          <button
            class="button button--secondary"
            type="button"
            aria-disabled=${busy ? 'true' : 'false'}
            aria-label=${t('admin.accounts.resetFor', { name: account.display_name })}
            @click=${() => this.reset(account)}
          >
            ${t('admin.accounts.reset')}
          </button>
        </td>
      </tr>
    `;
  }

  private renderResults(accounts: AdminAccount[]) {
    if (accounts.length === 0) return html`<p class="empty">${t('admin.accounts.none')}</p>`;
    return html`
      <div class="table-scroll">
        <table class="admin-table">
          <caption class="visually-hidden">${t('admin.accounts.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">${t('admin.accounts.name')}</th>
              <th scope="col">${t('field.email')}</th>
              <th scope="col">${t('field.role')}</th>
              <th scope="col">${t('admin.accounts.state')}</th>
              <th scope="col">${t('admin.accounts.actions')}</th>
            </tr>
          </thead>
          <tbody>${accounts.map((a) => this.renderRow(a))}</tbody>
        </table>
      </div>
    `;
  }

  private renderSearch() {
    return html`
      <form class="admin-filters" role="search" aria-label=${t('admin.accounts.search')} @submit=${this.onSearch}>
        <div class="field">
          <label for="accounts-search">${t('admin.accounts.searchLabel')}</label>
          <input
            id="accounts-search"
            type="search"
            maxlength="120"
            .value=${this.query}
            @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)}
          />
        </div>
        <div class="field">
          <label for="accounts-role">${t('field.role')}</label>
          <select id="accounts-role" @change=${(e: Event) => (this.role = (e.target as HTMLSelectElement).value as AccountRole | '')}>
            <option value="">${t('admin.any')}</option>
            ${ROLES.map((r) => html`<option value=${r} ?selected=${this.role === r}>${t(`role.${r}` as MessageKey)}</option>`)}
          </select>
        </div>
        <div class="field">
          <label for="accounts-state">${t('admin.accounts.state')}</label>
          <select id="accounts-state" @change=${(e: Event) => (this.state = (e.target as HTMLSelectElement).value as StateFilter)}>
            <option value="">${t('admin.any')}</option>
            <option value="active">${t('admin.accounts.active')}</option>
            <option value="inactive">${t('admin.accounts.inactive')}</option>
          </select>
        </div>
        <button class="button button--primary" type="submit">${t('admin.accounts.searchButton')}</button>
      </form>
    `;
  }

  private renderCreate() {
    const busy = this.createFeedback.busy === 'create';
    return html`
      <section class="panel" aria-labelledby="accounts-create-title">
        <h2 id="accounts-create-title">${t('admin.accounts.createTitle')}</h2>
        <p>${t('admin.accounts.createIntro')}</p>
        ${this.createFeedback.render()}
        ${this.created?.link
          ? html`<p class="admin-link">
              <label for="accounts-created-link">${t('admin.accounts.handOverLink', { name: this.created.name })}</label>
              <input id="accounts-created-link" readonly .value=${this.created.link} />
            </p>`
          : nothing}
        <form class="admin-create" @submit=${this.onCreate}>
          <div class="field">
            <label for="accounts-new-name">${t('field.displayName')}</label>
            <input id="accounts-new-name" name="display_name" maxlength="120" required autocomplete="off" />
          </div>
          <div class="field">
            <label for="accounts-new-email">${t('field.email')}</label>
            <input id="accounts-new-email" name="email" type="email" required autocomplete="off" />
          </div>
          <div class="field">
            <label for="accounts-new-role">${t('field.role')}</label>
            <select id="accounts-new-role" name="role">
              ${ROLES.map((r) => html`<option value=${r} ?selected=${r === 'clinician'}>${t(`role.${r}` as MessageKey)}</option>`)}
            </select>
          </div>
          <button class="button button--primary" type="submit" aria-disabled=${busy ? 'true' : 'false'}>
            ${busy ? t('form.working') : t('admin.accounts.createButton')}
          </button>
        </form>
      </section>
    `;
  }

  override render() {
    return html`
      <div class="panel">
        <h1>${t('area.accounts.title')}</h1>
        <p class="lead">${t('admin.accounts.intro')}</p>
        ${this.renderSearch()} ${this.feedback.render()}
        ${this.accounts.render((accounts) => this.renderResults(accounts))}
      </div>
      ${this.renderCreate()}
    `;
  }
}

customElements.define('cv-admin-accounts', AccountsPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-admin-accounts': AccountsPage;
  }
}
