import { html, nothing } from 'lit';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { library, type LibraryItems } from './quality-api';
import './quality.css';
import './library-item';
import './library-editor';

/**
 * A community's education library: the published articles, infographics and quiz modules, with
 * who reviewed each and when; authors (clinicians, peer educators) also see drafts and a link
 * to write a new item.
 */
export class LibraryList extends LightElement {
  static override properties = {
    slug: {},
    data: { state: true },
    error: { state: true },
  };

  declare slug: string;
  declare data: LibraryItems | null;
  declare error: string;

  constructor() {
    super();
    this.slug = '';
    this.data = null;
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.data = await library(this.slug);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  override render() {
    const data = this.data;
    return html`<section class="library" aria-labelledby="library-heading">
      <h2 id="library-heading">${t('library.title')}</h2>
      ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      ${data && !data.items.length ? html`<p class="empty">${t('library.empty')}</p>` : nothing}
      <ul role="list" class="library-list">
        ${(data?.items ?? []).map(
          (item) => html`<li>
            <a href=${`/community/library/${item.id}`}>${item.title}</a>
            <span class="badge">${t(`library.kind.${item.kind}` as MessageKey)}</span>
            ${item.state === 'draft' ? html`<span class="badge badge--off">${t('library.draft')}</span>` : nothing}
            ${item.summary ? html`<br />${item.summary}` : nothing}
            ${item.reviewed_by && item.last_reviewed_at
              ? html`<br /><span class="hint">${t('library.reviewedBy', {
                  name: item.reviewed_by,
                  date: item.last_reviewed_at.slice(0, 10),
                })}</span>`
              : nothing}
          </li>`,
        )}
      </ul>
      ${data?.can_author
        ? html`<p><a href=${`/community/${this.slug}/library/new`}>${t('library.new')}</a></p>`
        : nothing}
    </section>`;
  }
}

customElements.define('cv-library-list', LibraryList);
