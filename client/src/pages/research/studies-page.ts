import { html, nothing } from 'lit';
import {
  approveStudy,
  approvers,
  createStudy,
  studies,
  type Approver,
  type Study,
} from '../../api/research';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { navigate } from '../../router';

export const SENSITIVE = ['condition', 'sex', 'age_band'] as const;

export function statusText(status: string): string {
  return t(`research.status.${status}` as MessageKey);
}

/** A researcher's studies (and the form to create one); an admin's studies to approve. */
export class ResearchStudies extends LightElement {
  static override properties = {
    list: { state: true },
    admins: { state: true },
    researcher: { attribute: false },
    error: { state: true },
    heading: { attribute: false },
  };

  declare heading: MessageKey;

  declare list: Study[];
  declare admins: Approver[];
  declare researcher: boolean;
  declare error: string;

  constructor() {
    super();
    this.list = [];
    this.admins = [];
    this.researcher = false;
    this.error = '';
    this.heading = 'research.studies.title';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.list = await studies();
    } catch (error) {
      this.error = describeError(error);
    }
    if (!this.researcher) return; // only researchers create studies
    try {
      this.admins = await approvers();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private create = async (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const l = text('l');
    try {
      const made = await createStudy({
        title: text('title'),
        protocol: text('protocol'),
        approver_id: text('approver'),
        k: Number(text('k') || 5),
        l: l ? Number(l) : null,
        sensitive: l ? text('sensitive') || null : null,
      });
      navigate(`/cohorts/studies/${made.id}`);
    } catch (error) {
      this.error = describeError(error);
    }
  };

  private approve = async (s: Study) => {
    try {
      await approveStudy(s.id);
      await this.load();
    } catch (error) {
      this.error = describeError(error);
    }
  };

  private item(s: Study) {
    return html`<li class="card">
      <h3><a href="/cohorts/studies/${s.id}">${s.title}</a></h3>
      <p class="hint">${t('research.studies.status', { status: statusText(s.status) })}</p>
      ${s.to_approve && s.status === 'draft'
        ? html`<p>
            <button class="button" type="button" @click=${() => this.approve(s)}>
              ${t('research.studies.approve', { title: s.title })}
            </button>
          </p>`
        : nothing}
    </li>`;
  }

  private form() {
    if (!this.admins.length) return html`<p>${t('research.create.noApprover')}</p>`;
    return html`<form class="stack" @submit=${this.create} aria-labelledby="study-new">
      <h2 id="study-new">${t('research.create.title')}</h2>
      <label for="study-title">${t('research.create.studyTitle')}</label>
      <input id="study-title" name="title" required maxlength="200" />
      <label for="study-protocol">${t('research.create.protocol')}</label>
      <textarea id="study-protocol" name="protocol" required maxlength="5000"></textarea>
      <label for="study-approver">${t('research.create.approver')}</label>
      <select id="study-approver" name="approver">
        ${this.admins.map((a) => html`<option value=${a.id}>${a.name}</option>`)}
      </select>
      <label for="study-k">${t('research.create.k')}</label>
      <input id="study-k" name="k" type="number" min="2" max="100" value="5" />
      <label for="study-l">${t('research.create.l')}</label>
      <input id="study-l" name="l" type="number" min="2" max="100" />
      <label for="study-sensitive">${t('research.create.sensitive')}</label>
      <select id="study-sensitive" name="sensitive">
        <option value="">${t('research.create.none')}</option>
        ${SENSITIVE.map((s) => html`<option value=${s}>${s}</option>`)}
      </select>
      <p><button class="button" type="submit">${t('research.create.submit')}</button></p>
    </form>`;
  }

  override render() {
    return html`
      <section class="panel" aria-labelledby="studies-heading">
        <h1 id="studies-heading">${t(this.heading)}</h1>
        <p class="lead">${t('research.studies.intro')}</p>
        ${this.list.length
          ? html`<ul role="list" class="cards">${this.list.map((s) => this.item(s))}</ul>`
          : html`<p>${t('research.studies.none')}</p>`}
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      </section>
      ${this.researcher ? html`<section class="panel">${this.form()}</section>` : nothing}
    `;
  }
}

customElements.define('cv-research-studies', ResearchStudies);

declare global {
  interface HTMLElementTagNameMap {
    'cv-research-studies': ResearchStudies;
  }
}
