/** What a section shows while its data loads, or when loading it failed. */
import { html } from 'lit';
import { t } from '../i18n';

/** Why loading failed, and a button to try again (`retry` is called with the host as `this`). */
export function renderLoadFailure(message: string, retry: (event: Event) => unknown) {
  return html`
    <div class="form-error" role="alert">${message}</div>
    <button class="button button--secondary" type="button" @click=${retry}>
      ${t('form.retry')}
    </button>
  `;
}

export function renderLoading() {
  return html`<p class="loading" role="status">${t('app.loading')}</p>`;
}
