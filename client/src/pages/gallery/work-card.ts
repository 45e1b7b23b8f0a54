/** One work as a card: the image with its alt text (or the sanitised poem), title, author. */
import { html, nothing, type TemplateResult } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import type { Work } from '../../api/gallery';
import { t } from '../../i18n';

/** The work itself; `level` is its heading level in the page. */
export function workBody(work: Work, level: 2 | 3 = 2): TemplateResult {
  const id = `work-${work.id}`;
  const heading = level === 2 ? html`<h2 id=${id}>${work.title}</h2>` : html`<h3 id=${id}>${work.title}</h3>`;
  return html`
    ${heading}
    <p class="hint">${t('gallery.by', { handle: work.handle })}</p>
    ${work.image_url
      ? html`<figure>
          <img src=${work.image_url} alt=${work.alt_text} loading="lazy" />
          ${work.caption ? html`<figcaption>${work.caption}</figcaption>` : nothing}
        </figure>`
      : html`<div class="poem">${unsafeHTML(work.html)}</div>
          ${work.caption ? html`<p class="hint">${work.caption}</p>` : nothing}`}
  `;
}
