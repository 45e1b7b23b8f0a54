import { html, nothing } from 'lit';
import { addAddendum, encounter, sign, writeNote, type Encounter, type Note } from '../../api/care';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { formatTime } from '../../i18n/format';

const FIELDS = [
  'subjective',
  'objective',
  'assessment',
  'plan',
  'follow_up',
  'patient_summary',
] as const satisfies readonly (keyof Note)[];

/** A draft is saved this long after the last keystroke (and at once before signing). */
const AUTOSAVE_MS = 1200;

/**
 * The SOAP note of a visit where the clinician is (the consult room's side panel): the draft
 * saves itself as it is typed, Sign locks it, and after signing only signed addenda can be
 * added. The fields are labelled, the save state is announced politely, errors as alerts.
 *
 * Attribute: `encounter-id`. Fires `note-signed` once signed.
 */
export class SoapNote extends LightElement {
  static override properties = {
    encounterId: { type: String, attribute: 'encounter-id' },
    note: { state: true },
    saveState: { state: true },
    error: { state: true },
    busy: { state: true },
  };

  declare encounterId: string;
  declare note: Encounter | null;
  /** What the status line says: '', 'saving', 'saved at …', 'signed'. */
  declare saveState: string;
  declare error: string;
  declare busy: boolean;

  private timer: number | null = null;
  private dirty = false;
  private saving: Promise<void> = Promise.resolve();

  constructor() {
    super();
    this.encounterId = '';
    this.note = null;
    this.saveState = '';
    this.error = '';
    this.busy = false;
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('encounterId') && this.encounterId) void this.load();
  }

  override disconnectedCallback(): void {
    if (this.dirty) void this.flush(); // leaving: keep what was typed
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    try {
      this.note = await encounter(this.encounterId);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private value(id: string): string {
    return (this.querySelector<HTMLTextAreaElement>(`#${id}`)?.value ?? '').trim();
  }

  private typed(): void {
    this.dirty = true;
    this.saveState = '';
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.flush(), AUTOSAVE_MS);
  }

  /** Save the draft now if anything changed (one save at a time, in order). */
  private flush(): Promise<void> {
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = null;
    this.saving = this.saving.then(async () => {
      if (!this.dirty || !this.note?.editable) return;
      const note: Note = {};
      for (const field of FIELDS) note[field] = this.value(`soap-${field}`);
      this.dirty = false;
      this.saveState = t('care.soap.saving');
      try {
        const saved = await writeNote(this.note.id, note);
        if (this.isConnected) this.note = { ...saved };
        this.saveState = t('care.soap.savedAt', { time: formatTime(new Date()) });
        this.error = '';
      } catch (error) {
        this.dirty = true;
        this.saveState = '';
        this.error = describeError(error);
      }
    });
    return this.saving;
  }

  private async signNote(): Promise<void> {
    if (!this.note || this.busy) return;
    this.busy = true;
    try {
      this.dirty = true; // what is on screen is what is signed
      await this.flush();
      if (this.error) return;
      this.note = await sign(this.note.id);
      this.saveState = t('care.note.signedNotice');
      this.dispatchEvent(new CustomEvent('note-signed', { bubbles: true, composed: true }));
      await this.focusById('soap-addendum');
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  private async addendum(event: Event): Promise<void> {
    event.preventDefault();
    if (!this.note || this.busy) return;
    const text = this.value('soap-addendum');
    if (!text) return;
    this.busy = true;
    try {
      await addAddendum(this.note.id, text);
      const box = this.querySelector<HTMLTextAreaElement>('#soap-addendum');
      if (box) box.value = '';
      this.note = await encounter(this.note.id);
      this.saveState = t('care.soap.addendumAdded');
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const e = this.note;
    if (!e) {
      return this.error
        ? html`<p class="form-error" role="alert">${this.error}</p>`
        : html`<p role="status">${t('app.loading')}</p>`;
    }
    const signed = !e.editable;
    return html`
      <section class="soap-note" aria-labelledby="soap-title">
        <h3 id="soap-title">${t('care.soap.title')}</h3>
        ${FIELDS.map(
          (field) => html`
            <div class="field">
              <label for="soap-${field}">${t(`care.note.${field}` as MessageKey)}</label>
              <textarea id="soap-${field}" rows="2" maxlength="8000" ?readonly=${signed}
                .value=${e[field] ?? ''} @input=${() => this.typed()}></textarea>
            </div>
          `,
        )}
        <p class="soap-note__state" role="status" aria-live="polite">${this.saveState}</p>
        <p class="form-error" role="alert">${this.error}</p>
        ${signed ? this.renderSigned(e) : html`
          <p class="care-actions">
            <button class="button button--secondary" type="button" id="soap-save" ?disabled=${this.busy}
              @click=${() => { this.dirty = true; void this.flush(); }}>${t('care.note.save')}</button>
            <button class="button button--primary" type="button" id="soap-sign" ?disabled=${this.busy}
              @click=${() => this.signNote()}>${t('care.soap.sign')}</button>
          </p>`}
      </section>
    `;
  }

  private renderSigned(e: Encounter) {
    return html`
      <p class="soap-note__signed" data-signed>${t('care.note.signed', { name: e.signed_by_name ?? '' })}</p>
      ${e.addenda.length
        ? html`<ul class="soap-note__addenda">
            ${e.addenda.map((a) => html`<li>${a.text} — ${a.author_name}, ${formatTime(new Date(a.signed_at))}</li>`)}
          </ul>`
        : nothing}
      <form @submit=${(event: Event) => this.addendum(event)}>
        <div class="field">
          <label for="soap-addendum">${t('care.note.addendum')}</label>
          <textarea id="soap-addendum" rows="2" maxlength="4000"></textarea>
        </div>
        <button class="button button--secondary" type="submit" ?disabled=${this.busy}>${t('care.note.addAddendum')}</button>
      </form>
    `;
  }
}

customElements.define('cv-soap-note', SoapNote);

declare global {
  interface HTMLElementTagNameMap {
    'cv-soap-note': SoapNote;
  }
}
