import { html, nothing } from 'lit';
import { t } from '../i18n';

/** A question asked in the page (never the browser's own `confirm()`): what, and what to do. */
export interface PendingConfirm {
  readonly question: string;
  /** The confirming button's text ("Remove", "End the session"). */
  readonly yes: string;
  readonly run: () => void;
}

/**
 * The question with its confirming button (focused by the caller, id `${id}-yes`) and Cancel.
 * `done` is called after either, to clear the question.
 */
export function renderConfirm(pending: PendingConfirm | null, id: string, done: () => void) {
  if (!pending) return nothing;
  return html`<div class="confirm confirm--danger world-confirm" role="group" aria-labelledby="${id}-question">
    <p id="${id}-question">${pending.question}</p>
    <div class="actions">
      <button
        id="${id}-yes"
        class="button button--danger"
        type="button"
        @click=${() => {
          pending.run();
          done();
        }}
      >
        ${pending.yes}
      </button>
      <button class="button button--secondary" type="button" @click=${done}>${t('form.cancel')}</button>
    </div>
  </div>`;
}
