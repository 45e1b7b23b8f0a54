/**
 * A support circle's tools beside the space (2D panel, phone-friendly): for everyone the
 * talking order (raise or lower a hand, pass), the check-in at the start and end with its
 * anonymous aggregate, "I need support", the agenda and timer; for facilitators also "call
 * next", support requests to acknowledge, setting the agenda and timer, and breakout pairs
 * (propose a split, adjust it, start with a timer, visit a pair, bring everyone back). A member
 * sent to a pair moves to its space (world/breakout-bar.ts brings them back). Protocol:
 * docs/protocol.md "Circle tools".
 */
import { html, nothing } from 'lit';
import { LightElement } from '../components/light-element';
import { t, type MessageKey } from '../i18n';
import { navigate } from '../router';
import { clock, rememberBreakout } from './breakout-bar';
import type { CircleMessage, EventMessage, WorldConnection } from './connection';
import { EventFollower } from './event-follower';

interface Proposed {
  id: string;
  name: string;
}

interface Round {
  round?: string;
  ends_at?: number;
  back?: string;
  pairs?: { space: string; ids: string[]; names: string[] }[];
}

interface Aggregate {
  phase: 'start' | 'end';
  n: number;
  counts?: number[];
}

const SCORES = [1, 2, 3, 4, 5];

function parse<T>(detail: string | null | undefined, fallback: T): T {
  try {
    return detail ? (JSON.parse(detail) as T) : fallback;
  } catch {
    return fallback;
  }
}

export class CirclePanel extends LightElement {
  static override properties = {
    connection: { attribute: false },
    facilitator: { attribute: false },
    names: { attribute: false },
    me: { attribute: false },
    hands: { state: true },
    floor: { state: true },
    aggregates: { state: true },
    agenda: { state: true },
    timerEnds: { state: true },
    timerLabel: { state: true },
    now: { state: true },
    alerts: { state: true },
    notice: { state: true },
    proposal: { state: true },
    round: { state: true },
    pairError: { state: true },
  };

  declare connection: WorldConnection | null;
  declare facilitator: boolean;
  declare names: Map<string, string>;
  declare me: string;
  declare hands: string[];
  declare floor: string | null;
  declare aggregates: Record<string, Aggregate>;
  declare agenda: string[];
  declare timerEnds: number;
  declare timerLabel: string;
  declare now: number;
  declare alerts: Map<string, string>;
  declare notice: string;
  /** The facilitator's split being adjusted: pairs of members (id, name). */
  declare proposal: Proposed[][];
  declare round: Round;
  declare pairError: string;
  private events = new EventFollower((m) => this.onEvent(m));
  private ticker = 0;

  constructor() {
    super();
    this.connection = null;
    this.facilitator = false;
    this.names = new Map();
    this.me = '';
    this.hands = [];
    this.floor = null;
    this.aggregates = {};
    this.agenda = [];
    this.timerEnds = 0;
    this.timerLabel = '';
    this.now = Date.now() / 1000;
    this.alerts = new Map();
    this.notice = '';
    this.proposal = [];
    this.round = {};
    this.pairError = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.ticker = window.setInterval(() => (this.now = Date.now() / 1000), 1000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearInterval(this.ticker);
    this.events.end();
  }

  override updated(): void {
    this.events.follow(this.connection);
  }

  private onEvent(m: EventMessage): void {
    switch (m.kind) {
      case 'hands':
        this.hands = parse<string[]>(m.detail, []);
        this.floor = m.target ?? null;
        break;
      case 'floor':
        this.floor = m.target ?? null;
        break;
      case 'checkin': {
        const aggregate = parse<Aggregate | null>(m.detail, null);
        if (aggregate) this.aggregates = { ...this.aggregates, [aggregate.phase]: aggregate };
        break;
      }
      case 'agenda':
        this.agenda = parse<string[]>(m.detail, []);
        break;
      case 'timer': {
        const timer = parse<{ ends_at: number; label: string }>(m.detail, { ends_at: 0, label: '' });
        this.timerEnds = timer.ends_at;
        this.timerLabel = timer.label;
        break;
      }
      case 'support':
        if (m.target) this.alerts = new Map(this.alerts).set(m.target, m.detail ?? '');
        break;
      case 'breakout': {
        const info = parse<{ ends_at: number; back: string; with: string[] } | null>(m.detail, null);
        if (!info || !m.target) break;
        rememberBreakout({ space: m.target, ...info });
        navigate(`/spaces/${m.target}`);
        break;
      }
      case 'breakouts':
        this.round = parse<Round>(m.detail, {});
        if (this.round.pairs) this.proposal = [];
        break;
      case 'breakout_proposal':
        this.proposal = parse<Proposed[][]>(m.detail, []);
        this.pairError = this.proposal.length ? '' : t('circle.breakout.tooFew');
        break;
      case 'support_sent':
        this.notice = t('circle.needSupportSent');
        break;
      case 'support_ack':
        if (m.target === this.me) this.notice = t('circle.supportAcked', { name: m.detail ?? '' });
        if (m.target && this.alerts.has(m.target)) {
          const alerts = new Map(this.alerts);
          alerts.delete(m.target);
          this.alerts = alerts;
        }
        break;
    }
  }

  private send(message: CircleMessage): void {
    this.connection?.circle(message);
  }

  private name(id: string): string {
    return this.names.get(id) ?? id.slice(0, 6);
  }

  private timer() {
    const left = Math.max(0, Math.round(this.timerEnds - this.now));
    if (!this.timerEnds || !left) return nothing;
    const time = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
    const text = this.timerLabel
      ? t('circle.timerLabel', { label: this.timerLabel, time })
      : t('circle.timer', { time });
    return html`<p class="circle-timer">${text}</p>`;
  }

  private checkIn(phase: 'start' | 'end') {
    const aggregate = this.aggregates[phase];
    const phaseName = t(`circle.phase.${phase}` as MessageKey);
    return html`<fieldset class="circle-checkin">
      <legend>${t(`circle.checkin.${phase}` as MessageKey)}</legend>
      ${SCORES.map(
        (score) => html`<button
          type="button"
          class="button button--secondary"
          @click=${() => this.send({ t: 'checkin', phase, score })}
        >
          ${t('circle.checkin.score', { score, label: t(`circle.checkin.${score}` as MessageKey) })}
        </button>`,
      )}
      ${aggregate
        ? html`<p>
            ${t('circle.aggregate', { phase: phaseName, count: aggregate.n })}.
            ${aggregate.counts
              ? t('circle.aggregateCounts', { counts: aggregate.counts.join(', ') })
              : t('circle.aggregateHidden')}
          </p>`
        : nothing}
    </fieldset>`;
  }

  private facilitatorTools() {
    return html`
      <section aria-labelledby="circle-alerts">
        <h3 id="circle-alerts">${t('circle.alerts')}</h3>
        <ul role="list">
          ${[...this.alerts].map(
            ([id, name]) => html`<li>
              <div role="alert">
                ${t('circle.alert', { name: name || this.name(id) })}
                <button class="button" @click=${() => this.send({ t: 'support_ack', target: id })}>
                  ${t('circle.acknowledge')}
                </button>
              </div>
            </li>`,
          )}
        </ul>
      </section>
      <p><button class="button" @click=${() => this.send({ t: 'floor', action: 'next' })}>${t('circle.next')}</button></p>
      <label for="circle-agenda">${t('circle.agendaEdit')}</label>
      <textarea id="circle-agenda" rows="3"></textarea>
      <button class="button button--secondary" @click=${this.setAgenda}>${t('circle.agendaSet')}</button>
      <label for="circle-minutes">${t('circle.timerMinutes')}</label>
      <input id="circle-minutes" type="number" min="1" max="120" value="5" inputmode="numeric" />
      <button class="button button--secondary" @click=${this.startTimer}>${t('circle.timerStart')}</button>
      <button class="button button--secondary" @click=${() => this.send({ t: 'timer', seconds: 0 })}>
        ${t('circle.timerStop')}
      </button>
      ${this.breakoutTools()}
    `;
  }

  /** Members the facilitator keeps in the circle (out of every pair). */
  private stayers: Proposed[] = [];

  /** Move a member to pair `to`, to a new pair (`to` = the count), or out of every pair (-1). */
  private moveTo(person: Proposed, to: number): void {
    const pairs = this.proposal.map((pair) => pair.filter((p) => p.id !== person.id));
    this.stayers = this.stayers.filter((p) => p.id !== person.id);
    if (to < 0) this.stayers = [...this.stayers, person];
    else if (to < pairs.length) pairs[to].push(person);
    else pairs.push([person]);
    this.proposal = pairs.filter((pair) => pair.length);
  }

  private propose = () => {
    this.stayers = [];
    this.send({ t: 'breakout', action: 'propose' });
  };

  private startBreakouts = () => {
    const pairs = this.proposal.map((pair) => pair.map((p) => p.id));
    if (!pairs.length || pairs.some((pair) => pair.length < 2 || pair.length > 3)) {
      this.pairError = t('circle.breakout.sizes');
      return;
    }
    const input = this.querySelector<HTMLInputElement>('#breakout-minutes');
    const minutes = Math.min(60, Math.max(1, Number(input?.value) || 5));
    this.pairError = '';
    this.send({ t: 'breakout', action: 'start', minutes, pairs });
  };

  private visit(space: string): void {
    const round = this.round;
    if (!round.back || !round.ends_at) return;
    rememberBreakout({ space, back: round.back, ends_at: round.ends_at, with: [] });
    navigate(`/spaces/${space}`);
  }

  private breakoutTools() {
    const round = this.round;
    if (round.pairs?.length) {
      return html`<section aria-labelledby="breakout-tools">
        <h3 id="breakout-tools">${t('circle.breakout.title')}</h3>
        <p role="timer">${t('circle.breakout.left', { time: clock((round.ends_at ?? 0) - this.now) })}</p>
        <ul role="list">
          ${round.pairs.map(
            (pair, i) => html`<li>
              ${t('circle.breakout.pair', { n: i + 1, names: pair.names.join(', ') })}
              <button class="button button--secondary" type="button" @click=${() => this.visit(pair.space)}>
                ${t('circle.breakout.visit', { n: i + 1 })}
              </button>
            </li>`,
          )}
        </ul>
        <button class="button" type="button" @click=${() => this.send({ t: 'breakout', action: 'end' })}>
          ${t('circle.breakout.recall')}
        </button>
      </section>`;
    }
    const count = this.proposal.length;
    const people = [
      ...this.proposal.flatMap((pair, i) => pair.map((p) => [p, i] as const)),
      ...this.stayers.map((p) => [p, -1] as const),
    ];
    return html`<section aria-labelledby="breakout-tools">
      <h3 id="breakout-tools">${t('circle.breakout.title')}</h3>
      <button class="button button--secondary" type="button" @click=${this.propose}>
        ${t('circle.breakout.propose')}
      </button>
      ${people.length
        ? html`<ul role="list">
              ${people.map(
                ([person, at]) => html`<li>
                  <label>
                    ${person.name}
                    <select
                      @change=${(e: Event) => this.moveTo(person, Number((e.target as HTMLSelectElement).value))}
                    >
                      ${this.proposal.map(
                        (_, i) =>
                          html`<option value=${i} ?selected=${i === at}>
                            ${t('circle.breakout.pairN', { n: i + 1 })}
                          </option>`,
                      )}
                      <option value=${count}>${t('circle.breakout.newPair')}</option>
                      <option value="-1" ?selected=${at === -1}>${t('circle.breakout.stay')}</option>
                    </select>
                  </label>
                </li>`,
              )}
            </ul>
            <label for="breakout-minutes">${t('circle.breakout.minutes')}</label>
            <input id="breakout-minutes" type="number" min="1" max="60" value="5" inputmode="numeric" />
            <button class="button" type="button" @click=${this.startBreakouts}>${t('circle.breakout.start')}</button>`
        : nothing}
      ${this.pairError ? html`<p role="alert">${this.pairError}</p>` : nothing}
    </section>`;
  }

  private setAgenda = () => {
    const area = this.querySelector<HTMLTextAreaElement>('#circle-agenda');
    const items = (area?.value ?? '')
      .split('\n')
      .map((s) => s.trim().slice(0, 120))
      .filter(Boolean)
      .slice(0, 12);
    this.send({ t: 'agenda', items });
  };

  private startTimer = () => {
    const input = this.querySelector<HTMLInputElement>('#circle-minutes');
    const minutes = Math.min(120, Math.max(1, Number(input?.value) || 5));
    this.send({ t: 'timer', seconds: minutes * 60 });
  };

  override render() {
    const raised = this.hands.includes(this.me);
    return html`
      <section class="circle-panel world-panel" aria-labelledby="circle-heading">
        <h2 id="circle-heading">${t('circle.title')}</h2>
        ${this.agenda.length
          ? html`<h3>${t('circle.agenda')}</h3>
              <ol>
                ${this.agenda.map((item) => html`<li>${item}</li>`)}
              </ol>`
          : nothing}
        ${this.timer()}
        <p aria-live="polite">${this.floor ? t('circle.speaking', { name: this.name(this.floor) }) : ''}</p>
        <h3>${t('circle.queue')}</h3>
        ${this.hands.length
          ? html`<ol>
              ${this.hands.map((id) => html`<li>${this.name(id)}</li>`)}
            </ol>`
          : html`<p>${t('circle.queueEmpty')}</p>`}
        <p>
          <button
            class="button"
            aria-pressed=${raised ? 'true' : 'false'}
            @click=${() => this.send({ t: 'hand', action: raised ? 'lower' : 'raise' })}
          >
            ${raised ? t('circle.lower') : t('circle.raise')}
          </button>
          ${this.floor === this.me
            ? html`<button class="button button--secondary" @click=${() => this.send({ t: 'hand', action: 'pass' })}>
                ${t('circle.pass')}
              </button>`
            : nothing}
        </p>
        ${this.checkIn('start')} ${this.checkIn('end')}
        <p>
          <button class="button button--danger" @click=${() => this.send({ t: 'need_support' })}>
            ${t('circle.needSupport')}
          </button>
        </p>
        <p role="status">${this.notice}</p>
        ${this.facilitator ? this.facilitatorTools() : nothing}
      </section>
    `;
  }
}

customElements.define('cv-circle-panel', CirclePanel);

declare global {
  interface HTMLElementTagNameMap {
    'cv-circle-panel': CirclePanel;
  }
}
