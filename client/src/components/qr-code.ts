/** QR codes drawn in the page, from the text they carry: nothing leaves the browser to make one. */
import { html, type TemplateResult } from 'lit';
import { encode } from 'uqr';

let last: { text: string; size: number; path: string } | null = null;

/** The code's side in modules and its dark modules as one path of unit squares. */
function modules(text: string): { size: number; path: string } {
  // Re-rendering a form must not re-encode the code on every keystroke.
  if (last?.text === text) return last;
  const qr = encode(text, { ecc: 'M', border: 4 });
  let path = '';
  qr.data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) path += `M${x} ${y}h1v1h-1z`;
    });
  });
  last = { text, size: qr.data.length, path };
  return last;
}

/**
 * An SVG QR code of `text`, labelled for assistive technology. Medium error correction and the
 * standard four-module quiet zone keep it readable by phone cameras at small sizes.
 */
export function qrCode(text: string, label: string): TemplateResult {
  const { size, path } = modules(text);
  return html`<svg
    class="qr-code"
    viewBox="0 0 ${size} ${size}"
    role="img"
    aria-label=${label}
    shape-rendering="crispEdges"
    focusable="false"
  >
    <rect width=${size} height=${size} fill="#fff"></rect>
    <path d=${path} fill="#000"></path>
  </svg>`;
}
