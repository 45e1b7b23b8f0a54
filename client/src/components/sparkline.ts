import { html, nothing, svg } from 'lit';
import { LightElement } from './light-element';

const WIDTH = 96;
const HEIGHT = 28;
const PAD = 3;

/**
 * A tiny trend line: one inline SVG of a series of `[epoch seconds, value]` points, with a dot
 * on the latest. Cheap enough for fifty rows of a panel (no canvas, no chart library). The SVG
 * is an image named by `label`, which should say in words what the line shows.
 */
export class Sparkline extends LightElement {
  static override properties = {
    points: { attribute: false },
    label: { type: String },
  };

  declare points: readonly (readonly [number, number])[];
  declare label: string;

  constructor() {
    super();
    this.points = [];
    this.label = '';
  }

  override render() {
    const points = this.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (points.length < 2) return nothing;
    const xs = points.map(([x]) => x);
    const ys = points.map(([, y]) => y);
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
    if (y1 - y0 < 1e-9) {
      y0 -= 1;
      y1 += 1;
    }
    const sx = (x: number) => PAD + ((x - x0) / (x1 - x0 || 1)) * (WIDTH - 2 * PAD);
    const sy = (y: number) => HEIGHT - PAD - ((y - y0) / (y1 - y0)) * (HEIGHT - 2 * PAD);
    const path = points
      .map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
      .join('');
    const [lastX, lastY] = points[points.length - 1] ?? [0, 0];
    return html`<svg
      class="sparkline"
      viewBox="0 0 ${WIDTH} ${HEIGHT}"
      width=${WIDTH}
      height=${HEIGHT}
      role="img"
      aria-label=${this.label}
      focusable="false"
    >
      ${svg`<path d=${path} fill="none" stroke="currentColor" stroke-width="1.5"
        stroke-linejoin="round" stroke-linecap="round" vector-effect="non-scaling-stroke"></path>
        <circle cx=${sx(lastX).toFixed(1)} cy=${sy(lastY).toFixed(1)} r="2.5" fill="currentColor"></circle>`}
    </svg>`;
  }
}

customElements.define('cv-sparkline', Sparkline);

declare global {
  interface HTMLElementTagNameMap {
    'cv-sparkline': Sparkline;
  }
}
