import { html, nothing } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import {
  answerQuiz,
  forgetResult,
  imageUrl,
  libraryItem,
  reviewItem,
  setItemState,
  type LibraryItem,
  type QuizResult,
} from './quality-api';
import './quality.css';

/**
 * One library item: an article (server-sanitised HTML), an infographic (its image with alt text
 * and the long description) or a module with a quiz (radio or checkbox groups, scored on the
 * server; the member sees their score and each explanation). Authors publish, withdraw and (as
 * clinicians) review it here.
 */
export class LibraryItemPage extends LightElement {
  static override properties = {
    itemId: {},
    item: { state: true },
    result: { state: true },
    error: { state: true },
    status: { state: true },
    busy: { state: true },
  };

  declare itemId: string;
  declare item: LibraryItem | null;
  declare result: QuizResult | null;
  declare error: string;
  declare status: string;
  declare busy: boolean;

  constructor() {
    super();
    this.itemId = '';
    this.item = null;
    this.result = null;
    this.error = '';
    this.status = '';
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.item = await libraryItem(this.itemId);
      this.result = this.item.my_result;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async act(run: () => Promise<LibraryItem>, done: MessageKey): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      this.item = await run();
      this.status = t(done);
    } catch (error) {
      this.error = describeError(error);
    }
    this.busy = false;
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    const item = this.item;
    if (!item) return;
    const data = new FormData(event.target as HTMLFormElement);
    const answers = item.questions.map((_, i) => data.getAll(`q${i}`).map((v) => Number(v)));
    this.busy = true;
    this.error = '';
    try {
      this.result = await answerQuiz(item.id, answers);
      await this.focusById('quiz-score');
    } catch (error) {
      this.error = describeError(error);
    }
    this.busy = false;
  }

  private async forget(): Promise<void> {
    try {
      await forgetResult(this.itemId);
      this.result = null;
      this.status = t('library.resultErased');
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private quiz(item: LibraryItem) {
    const result = this.result;
    return html`<form class="quiz" @submit=${this.submit} aria-labelledby="quiz-heading">
        <h2 id="quiz-heading">${t('library.quiz')}</h2>
        ${item.questions.map(
          (q, i) => html`<fieldset>
            <legend>${i + 1}. ${q.prompt} ${q.multiple ? html`<span class="hint">(${t('library.chooseAll')})</span>` : nothing}</legend>
            ${q.options.map(
              (option, j) => html`<label class="check"
                ><input type=${q.multiple ? 'checkbox' : 'radio'} name=${`q${i}`} value=${j}
                  ?required=${!q.multiple} /> ${option}</label
              >`,
            )}
          </fieldset>`,
        )}
        <button type="submit" ?disabled=${this.busy}>${t('library.check')}</button>
      </form>
      ${result
        ? html`<section aria-labelledby="quiz-score" class="quiz-result">
            <h2 id="quiz-score" tabindex="-1">${t('library.score', { score: result.score, total: result.total })}</h2>
            <ol class="quiz-feedback">
              ${result.feedback.map(
                (f, i) => html`<li>
                  <strong>${i + 1}. ${t(f.right ? 'library.right' : 'library.wrong')}</strong>
                  ${f.right ? nothing : html`<br />${t('library.answerWas', {
                    answer: f.correct.map((c) => item.questions[i]?.options[c] ?? '').join(', '),
                  })}`}
                  ${f.explanation ? html`<br />${f.explanation}` : nothing}
                </li>`,
              )}
            </ol>
            <button type="button" @click=${this.forget}>${t('library.forget')}</button>
          </section>`
        : nothing}`;
  }

  private authorTools(item: LibraryItem) {
    return html`<div class="actions" role="group" aria-label=${t('library.authorTools')}>
      <a href=${`/community/library/${item.id}/edit`}>${t('library.edit')}</a>
      ${item.can_review
        ? html`<button type="button" ?disabled=${this.busy}
            @click=${() => this.act(() => reviewItem(item.id), 'library.reviewedNow')}>${t('library.review')}</button>`
        : nothing}
      ${item.state === 'draft'
        ? html`<button type="button" ?disabled=${this.busy}
            @click=${() => this.act(() => setItemState(item.id, 'published'), 'library.publishedNow')}>${t('library.publish')}</button>`
        : html`<button type="button" ?disabled=${this.busy}
            @click=${() => this.act(() => setItemState(item.id, 'draft'), 'library.withdrawnNow')}>${t('library.withdraw')}</button>`}
    </div>`;
  }

  override render() {
    const item = this.item;
    if (!item) {
      return this.error ? html`<p role="alert" class="error">${this.error}</p>` : html`<p>${t('app.loading')}</p>`;
    }
    return html`<article class="library-item" aria-labelledby="item-heading">
      <p><a href=${`/community/${item.community_slug}`}>${t('library.back')}</a></p>
      <h1 id="item-heading">${item.title}</h1>
      <p>
        <span class="badge">${t(`library.kind.${item.kind}` as MessageKey)}</span>
        ${item.state === 'draft' ? html`<span class="badge badge--off">${t('library.draft')}</span>` : nothing}
      </p>
      <p class="hint">
        ${item.author ? t('library.writtenBy', { name: item.author }) : nothing}
        ${item.reviewed_by && item.last_reviewed_at
          ? html` · ${t('library.reviewedBy', { name: item.reviewed_by, date: item.last_reviewed_at.slice(0, 10) })}`
          : html` · ${t('library.notReviewed')}`}
      </p>
      ${item.can_edit ? this.authorTools(item) : nothing}
      <p class="visually-hidden" role="status">${this.status}</p>
      ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      ${item.summary ? html`<p><strong>${item.summary}</strong></p>` : nothing}
      ${item.kind === 'infographic' && item.has_image
        ? html`<figure>
            <img src=${imageUrl(item.id)} alt=${item.alt_text} />
            <figcaption>${t('library.longDescription')}</figcaption>
          </figure>`
        : nothing}
      <div class="library-body">${unsafeHTML(item.html)}</div>
      ${item.kind === 'module' && item.questions.length ? this.quiz(item) : nothing}
    </article>`;
  }
}

customElements.define('cv-library-item', LibraryItemPage);
