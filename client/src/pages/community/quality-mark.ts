import { html, nothing } from 'lit';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import './quality.css';
import { marksOf, removeMark, setMark, type QualityMark, type Verdict } from './quality-api';

/**
 * A post's quality mark: the badge (reviewed / contradicts current evidence) with its source
 * link and the marking clinician's verified name, a clear warning above a post that contradicts
 * current evidence (the post stays shown), and, for verified clinicians, a "Mark" control that
 * opens a modal dialog (choice, https source and title, note). The mark never shows a handle.
 */
export class QualityMarkView extends LightElement {
  static override properties = {
    threadId: {},
    postId: {},
    mark: { state: true },
    canMark: { state: true },
    error: { state: true },
    status: { state: true },
    busy: { state: true },
  };

  declare threadId: string;
  declare postId: string;
  declare mark: QualityMark | null;
  declare canMark: boolean;
  declare error: string;
  declare status: string;
  declare busy: boolean;

  constructor() {
    super();
    this.threadId = '';
    this.postId = '';
    this.mark = null;
    this.canMark = false;
    this.error = '';
    this.status = '';
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(fresh = false): Promise<void> {
    try {
      const marks = await marksOf(this.threadId, fresh);
      this.mark = marks.marks.find((m) => m.post_id === this.postId) ?? null;
      this.canMark = marks.can_mark;
    } catch {
      this.mark = null; // the thread itself shows why it cannot be read
    }
  }

  private get dialog(): HTMLDialogElement | null {
    return this.querySelector('dialog');
  }

  private open(): void {
    this.error = '';
    this.dialog?.showModal();
  }

  private close(): void {
    this.dialog?.close();
    void this.focusById(`mark-open-${this.postId}`);
  }

  private async save(event: Event): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    this.busy = true;
    this.error = '';
    try {
      this.mark = await setMark(this.postId, {
        verdict: String(data.get('verdict')) as Verdict,
        source_url: String(data.get('source_url') ?? '').trim(),
        source_title: String(data.get('source_title') ?? '').trim(),
        note: String(data.get('note') ?? '').trim(),
        reason: String(data.get('reason') ?? '').trim(),
      });
      void marksOf(this.threadId, true);
      this.status = t('quality.saved');
      this.close();
    } catch (error) {
      this.error = describeError(error);
    }
    this.busy = false;
  }

  private async unmark(): Promise<void> {
    const reason = (this.querySelector(`#mark-reason-${this.postId}`) as HTMLInputElement | null)?.value.trim() ?? '';
    this.busy = true;
    this.error = '';
    try {
      await removeMark(this.postId, reason);
      this.mark = null;
      void marksOf(this.threadId, true);
      this.status = t('quality.removed');
      this.close();
    } catch (error) {
      this.error = describeError(error);
    }
    this.busy = false;
  }

  private badge(mark: QualityMark) {
    const contradicts = mark.verdict === 'contradicts';
    return html`<div class=${contradicts ? 'quality-mark warning' : 'quality-mark'}
      role="note" aria-label=${t('quality.markLabel')}>
      <p>
        <strong class="badge">${t(contradicts ? 'quality.contradicts' : 'quality.reviewed')}</strong>
        ${contradicts ? html` ${t('quality.contradictsWarning')}` : nothing}
      </p>
      <p>
        ${t('quality.by', { name: mark.clinician })} ·
        <a href=${mark.source_url} rel="noopener noreferrer nofollow" target="_blank">${mark.source_title}</a>
      </p>
      ${mark.note ? html`<p>${mark.note}</p>` : nothing}
    </div>`;
  }

  private form() {
    const id = this.postId;
    const m = this.mark;
    return html`<dialog aria-labelledby=${`mark-title-${id}`} @close=${() => (this.error = '')}>
      <form @submit=${this.save}>
        <h2 id=${`mark-title-${id}`}>${t('quality.dialogTitle')}</h2>
        <fieldset>
          <legend>${t('quality.verdict')}</legend>
          <label class="check"><input type="radio" name="verdict" value="reviewed" required
            ?checked=${m?.verdict !== 'contradicts'} /> ${t('quality.reviewedLong')}</label>
          <label class="check"><input type="radio" name="verdict" value="contradicts"
            ?checked=${m?.verdict === 'contradicts'} /> ${t('quality.contradictsLong')}</label>
        </fieldset>
        <label for=${`mark-url-${id}`}>${t('quality.sourceUrl')}</label>
        <input id=${`mark-url-${id}`} name="source_url" type="url" required pattern="https://.+"
          maxlength="2000" .value=${m?.source_url ?? ''} />
        <label for=${`mark-source-${id}`}>${t('quality.sourceTitle')}</label>
        <input id=${`mark-source-${id}`} name="source_title" required minlength="2" maxlength="200"
          .value=${m?.source_title ?? ''} />
        <label for=${`mark-note-${id}`}>${t('quality.note')}</label>
        <textarea id=${`mark-note-${id}`} name="note" rows="3" maxlength="1000" .value=${m?.note ?? ''}></textarea>
        <label for=${`mark-reason-${id}`}>${t('quality.reason')}</label>
        <input id=${`mark-reason-${id}`} name="reason" maxlength="500" />
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        <div class="actions">
          <button type="submit" ?disabled=${this.busy}>${t('quality.save')}</button>
          ${m ? html`<button type="button" ?disabled=${this.busy} @click=${this.unmark}>${t('quality.remove')}</button>` : nothing}
          <button type="button" @click=${this.close}>${t('quality.cancel')}</button>
        </div>
      </form>
    </dialog>`;
  }

  override render() {
    return html`${this.mark ? this.badge(this.mark) : nothing}
      ${this.canMark
        ? html`<button type="button" id=${`mark-open-${this.postId}`} @click=${this.open}>
              ${t(this.mark ? 'quality.change' : 'quality.mark')}
            </button>
            ${this.form()}
            <p class="visually-hidden" role="status">${this.status}</p>`
        : nothing}`;
  }
}

customElements.define('cv-quality-mark', QualityMarkView);
