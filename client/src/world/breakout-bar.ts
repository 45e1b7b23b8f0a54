/**
 * A breakout pair's bar (support groups; world/breakout.py): shown in the pair's own space to
 * its members and to a facilitator visiting it. It says who one is with and how long is left,
 * offers "Back to the circle", and takes everyone back when the facilitator recalls them
 * (`breakout_end`) or the time is up. What the bar knows of the round is kept for this tab
 * (sessionStorage), written by the circle panel before moving.
 */
import { html, nothing } from 'lit';
import { LightElement } from '../components/light-element';
import { t } from '../i18n';
import { navigate } from '../router';
import type { EventMessage, WorldConnection } from './connection';
import { EventFollower } from './event-follower';

export interface BreakoutInfo {
  space: string;
  back: string;
  ends_at: number;
  with: string[];
}

const KEY = 'cv:breakout';

export function rememberBreakout(info: BreakoutInfo): void {
  sessionStorage.setItem(KEY, JSON.stringify(info));
}

export function currentBreakout(space: string): BreakoutInfo | null {
  try {
    const info = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as BreakoutInfo | null;
    return info && info.space === space ? info : null;
  } catch {
    return null;
  }
}

export function clock(seconds: number): string {
  const left = Math.max(0, Math.round(seconds));
  return `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
}

export class BreakoutBar extends LightElement {
  static override properties = {
    connection: { attribute: false },
    spaceId: { type: String, attribute: 'space-id' },
    now: { state: true },
  };

  declare connection: WorldConnection | null;
  declare spaceId: string;
  declare now: number;
  private events = new EventFollower((m: EventMessage) => {
    if (m.kind === 'breakout_end') this.back(m.target ?? undefined);
  });
  private ticker = 0;
  private left = false;

  constructor() {
    super();
    this.connection = null;
    this.spaceId = '';
    this.now = Date.now() / 1000;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.ticker = window.setInterval(() => this.tick(), 1000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearInterval(this.ticker);
    this.events.end();
  }

  override updated(): void {
    this.events.follow(this.connection);
  }

  private tick(): void {
    this.now = Date.now() / 1000;
    const info = currentBreakout(this.spaceId);
    if (info && this.now >= info.ends_at + 2) this.back(); // the server's recall may be late
  }

  private back(to?: string): void {
    const info = currentBreakout(this.spaceId);
    const target = to || info?.back;
    if (this.left || !target) return;
    this.left = true;
    sessionStorage.removeItem(KEY);
    navigate(`/spaces/${target}`);
  }

  override render() {
    const info = currentBreakout(this.spaceId);
    if (!info) return nothing;
    return html`<section class="world-panel breakout-bar" aria-labelledby="breakout-heading">
      <h2 id="breakout-heading">${t('circle.breakout.title')}</h2>
      ${info.with.length ? html`<p>${t('circle.breakout.with', { names: info.with.join(', ') })}</p>` : nothing}
      <p role="timer">${t('circle.breakout.left', { time: clock(info.ends_at - this.now) })}</p>
      <button class="button button--secondary" type="button" @click=${() => this.back()}>
        ${t('circle.breakout.back')}
      </button>
    </section>`;
  }
}

customElements.define('cv-breakout-bar', BreakoutBar);

declare global {
  interface HTMLElementTagNameMap {
    'cv-breakout-bar': BreakoutBar;
  }
}
