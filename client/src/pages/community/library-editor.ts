import { html, nothing } from 'lit';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { navigate } from '../../router';
import {
  createItem,
  editItem,
  libraryItem,
  uploadImage,
  type LibraryItem,
  type LibraryItemInput,
} from './quality-api';
import './quality.css';

interface QuestionDraft {
  prompt: string;
  options: string;
  correct: string;
  explanation: string;
}

type Kind = LibraryItemInput['kind'];

/**
 * Writing a library item (clinicians and peer educators): its kind, title, summary, Markdown
 * body (an infographic's long description), an infographic's image and alt text, a module's
 * questions. Saving keeps it a draft; publishing is on the item's page.
 */
export class LibraryEditor extends LightElement {
  static override properties = {
    slug: {},
    itemId: {},
    item: { state: true },
    kind: { state: true },
    questions: { state: true },
    error: { state: true },
    busy: { state: true },
  };

  declare slug: string;
  declare itemId: string;
  declare item: LibraryItem | null;
  declare kind: Kind;
  declare questions: QuestionDraft[];
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.slug = '';
    this.itemId = '';
    this.item = null;
    this.kind = 'article';
    this.questions = [blank()];
    this.error = '';
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.itemId) void this.load();
  }

  private async load(): Promise<void> {
    try {
      const item = await libraryItem(this.itemId);
      this.item = item;
      this.kind = item.kind;
      if (item.questions.length) {
        this.questions = item.questions.map((q) => ({
          prompt: q.prompt,
          options: q.options.join('\n'),
          correct: (q.correct ?? []).map((c) => c + 1).join(', '),
          explanation: q.explanation ?? '',
        }));
      }
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private edit(index: number, key: keyof QuestionDraft, value: string): void {
    this.questions = this.questions.map((q, i) => (i === index ? { ...q, [key]: value } : q));
  }

  private async save(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const body: LibraryItemInput = {
      kind: this.kind,
      title: String(data.get('title') ?? '').trim(),
      summary: String(data.get('summary') ?? '').trim(),
      body: String(data.get('body') ?? ''),
      alt_text: this.kind === 'infographic' ? String(data.get('alt_text') ?? '').trim() : '',
      questions: this.kind === 'module' ? this.questions.map(toQuestion) : [],
    };
    const file = data.get('image');
    this.busy = true;
    this.error = '';
    try {
      let item = this.itemId ? await editItem(this.itemId, body) : await createItem(this.slug, body);
      if (this.kind === 'infographic' && file instanceof File && file.size) {
        item = await uploadImage(item.id, file);
      }
      navigate(`/community/library/${item.id}`);
    } catch (error) {
      this.error = describeError(error);
    }
    this.busy = false;
  }

  private questionFields(q: QuestionDraft, i: number) {
    const id = `question-${i}`;
    return html`<fieldset>
      <legend>${t('library.question', { number: i + 1 })}</legend>
      <label for=${`${id}-prompt`}>${t('library.prompt')}</label>
      <input id=${`${id}-prompt`} required maxlength="500" .value=${q.prompt}
        @input=${(e: Event) => this.edit(i, 'prompt', (e.target as HTMLInputElement).value)} />
      <label for=${`${id}-options`}>${t('library.options')}</label>
      <textarea id=${`${id}-options`} required rows="4" .value=${q.options}
        @input=${(e: Event) => this.edit(i, 'options', (e.target as HTMLTextAreaElement).value)}></textarea>
      <label for=${`${id}-correct`}>${t('library.correct')}</label>
      <input id=${`${id}-correct`} required inputmode="numeric" pattern="[0-9 ,]+" .value=${q.correct}
        @input=${(e: Event) => this.edit(i, 'correct', (e.target as HTMLInputElement).value)} />
      <label for=${`${id}-explanation`}>${t('library.explanation')}</label>
      <textarea id=${`${id}-explanation`} rows="2" maxlength="2000" .value=${q.explanation}
        @input=${(e: Event) => this.edit(i, 'explanation', (e.target as HTMLTextAreaElement).value)}></textarea>
      ${this.questions.length > 1
        ? html`<button type="button" @click=${() => (this.questions = this.questions.filter((_, j) => j !== i))}>
            ${t('library.removeQuestion', { number: i + 1 })}
          </button>`
        : nothing}
    </fieldset>`;
  }

  override render() {
    if (this.itemId && !this.item) {
      return this.error ? html`<p role="alert" class="error">${this.error}</p>` : html`<p>${t('app.loading')}</p>`;
    }
    const item = this.item;
    return html`<section class="library-editor" aria-labelledby="editor-heading">
      <h1 id="editor-heading">${item ? t('library.editTitle') : t('library.newTitle')}</h1>
      <form @submit=${this.save}>
        <label for="item-kind">${t('library.kindLabel')}</label>
        <select id="item-kind" ?disabled=${Boolean(item)}
          @change=${(e: Event) => (this.kind = (e.target as HTMLSelectElement).value as Kind)}>
          ${(['article', 'infographic', 'module'] as const).map(
            (k) => html`<option value=${k} ?selected=${k === this.kind}>${t(`library.kind.${k}`)}</option>`,
          )}
        </select>
        <label for="item-title">${t('library.itemTitle')}</label>
        <input id="item-title" name="title" required minlength="2" maxlength="200" .value=${item?.title ?? ''} />
        <label for="item-summary">${t('library.summary')}</label>
        <input id="item-summary" name="summary" maxlength="500" .value=${item?.summary ?? ''} />
        <label for="item-body">${this.kind === 'infographic' ? t('library.longDescriptionLabel') : t('library.body')}</label>
        <textarea id="item-body" name="body" rows="8" maxlength="50000" ?required=${this.kind !== 'module'}
          .value=${item?.body ?? ''}></textarea>
        ${this.kind === 'infographic'
          ? html`<label for="item-alt">${t('library.altText')}</label>
              <input id="item-alt" name="alt_text" required maxlength="300" .value=${item?.alt_text ?? ''} />
              <label for="item-image">${t('library.image')}</label>
              <input id="item-image" name="image" type="file" accept="image/png,image/jpeg,image/webp"
                ?required=${!item?.has_image} />`
          : nothing}
        ${this.kind === 'module'
          ? html`${this.questions.map((q, i) => this.questionFields(q, i))}
              <button type="button" @click=${() => (this.questions = [...this.questions, blank()])}>
                ${t('library.addQuestion')}
              </button>`
          : nothing}
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        <div class="actions">
          <button type="submit" ?disabled=${this.busy}>${t('library.saveDraft')}</button>
        </div>
      </form>
    </section>`;
  }
}

function blank(): QuestionDraft {
  return { prompt: '', options: '', correct: '', explanation: '' };
}

/** "1, 3" (as people count) to option indexes; more than one correct option means checkboxes. */
function toQuestion(q: QuestionDraft): LibraryItemInput['questions'] extends (infer Q)[] | undefined ? Q : never {
  const options = q.options.split('\n').map((o) => o.trim()).filter(Boolean);
  const correct = q.correct.split(/[ ,]+/).filter(Boolean).map((n) => Number(n) - 1);
  return { prompt: q.prompt.trim(), options, correct, explanation: q.explanation.trim(), multiple: correct.length > 1 };
}

customElements.define('cv-library-editor', LibraryEditor);
