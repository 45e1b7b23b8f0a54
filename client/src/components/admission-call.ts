/**
 * Calling the waiting patient in when the clinician admits them, wherever they wait: the waiting
 * page, the waiting garden, another tab.
 *
 * Signals: the world socket's `called` message (the garden or any space, on every node), the
 * waiting page's poll, a slow watch of the visits checked in from this browser (so a tab on any
 * page hears it), and the other tabs of this browser (BroadcastChannel). The call itself: a modal
 * `<dialog>` (focus moves to its button into the consult room), a short tone made with Web Audio
 * (no file), and a system notification when the person has allowed them.
 */
import { html, nothing } from 'lit';
import { waitState } from '../api/care';
import { t } from '../i18n';
import { navigate } from '../router';
import './admission-call.css';
import { LightElement } from './light-element';

export interface Call {
  space: string;
  appointment: string;
}

const EVENT = 'cv:called';
const CHANNEL = 'careverse-calls';
const WAITING_KEY = 'careverse.waiting';
const WATCH_MS = 8000;
const QUIET_MS = 60_000;

/** Tell this tab (and through it the others) that a visit's patient is called in. */
export function announceCall(call: Call): void {
  window.dispatchEvent(new CustomEvent<Call>(EVENT, { detail: call }));
}

function waitingIds(): string[] {
  try {
    const ids: unknown = JSON.parse(localStorage.getItem(WAITING_KEY) ?? '[]');
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

function saveWaiting(ids: string[]): void {
  try {
    if (ids.length) localStorage.setItem(WAITING_KEY, JSON.stringify(ids));
    else localStorage.removeItem(WAITING_KEY);
  } catch {
    // Storage refused (private mode): the page and the garden still call.
  }
}

/** A visit checked in from this browser: every tab watches it until it is called or over. */
export function rememberWaiting(appointmentId: string): void {
  const ids = waitingIds();
  if (!ids.includes(appointmentId)) saveWaiting([...ids, appointmentId]);
}

function forgetWaiting(appointmentId: string): void {
  saveWaiting(waitingIds().filter((id) => id !== appointmentId));
}

/** Ask once (from a click) whether we may notify; nothing happens if they said already. */
export function askToNotify(): void {
  if ('Notification' in window && Notification.permission === 'default') {
    void Notification.requestPermission().catch(() => undefined);
  }
}

/** Two soft rising notes, about half a second. */
export function playChime(): void {
  const Context =
    window.AudioContext ??
    (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Context) return;
  try {
    const context = new Context();
    const now = context.currentTime;
    [660, 880].forEach((frequency, i) => {
      const tone = context.createOscillator();
      const volume = context.createGain();
      const start = now + i * 0.22;
      tone.type = 'sine';
      tone.frequency.value = frequency;
      volume.gain.setValueAtTime(0.0001, start);
      volume.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
      volume.gain.exponentialRampToValueAtTime(0.0001, start + 0.35);
      tone.connect(volume).connect(context.destination);
      tone.start(start);
      tone.stop(start + 0.4);
    });
    window.setTimeout(() => void context.close().catch(() => undefined), 1200);
  } catch {
    // No audio device or autoplay refused: the dialog and the notification still tell them.
  }
}

export class AdmissionCall extends LightElement {
  static override properties = { call: { state: true } };
  declare call: Call | null;

  private channel: BroadcastChannel | null = null;
  private timer: number | null = null;
  private readonly shownAt = new Map<string, number>();
  private readonly onCalled = (event: Event) => this.receive((event as CustomEvent<Call>).detail, true);

  constructor() {
    super();
    this.call = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener(EVENT, this.onCalled);
    if ('BroadcastChannel' in window) {
      this.channel = new BroadcastChannel(CHANNEL);
      this.channel.onmessage = (event: MessageEvent<Call>) => this.receive(event.data, false);
    }
    this.timer = window.setInterval(() => void this.watch(), WATCH_MS);
  }

  override disconnectedCallback(): void {
    window.removeEventListener(EVENT, this.onCalled);
    this.channel?.close();
    this.channel = null;
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
    super.disconnectedCallback();
  }

  /** The visits checked in from this browser: called in yet? */
  private async watch(): Promise<void> {
    for (const id of waitingIds()) {
      try {
        const state = await waitState(id);
        if (state.space_id) announceCall({ space: state.space_id, appointment: id });
        else if (state.status !== 'checked_in' && state.status !== 'booked') forgetWaiting(id);
      } catch {
        forgetWaiting(id); // signed out, or no longer theirs
      }
    }
  }

  private async receive(call: Call, tellOthers: boolean): Promise<void> {
    if (!call?.space || !call.appointment) return;
    forgetWaiting(call.appointment);
    if (tellOthers) this.channel?.postMessage(call);
    if (location.pathname === `/spaces/${call.space}`) return; // already in the room
    if (this.call?.appointment === call.appointment && this.dialog?.open) return;
    // "In a moment": the page's polls do not ring again for a minute (its button stays).
    const since = this.shownAt.get(call.appointment);
    if (since !== undefined && Date.now() - since < QUIET_MS) return;
    this.shownAt.set(call.appointment, Date.now());
    this.call = call;
    await this.updateComplete;
    const dialog = this.dialog;
    if (dialog && !dialog.open) dialog.showModal();
    this.querySelector<HTMLElement>('#cv-call-enter')?.focus();
    playChime();
    this.notify(call);
  }

  private notify(call: Call): void {
    if (!('Notification' in window) || Notification.permission !== 'granted') return;
    try {
      const note = new Notification(t('care.call.title'), {
        body: t('care.call.body'),
        tag: `careverse-call-${call.appointment}`,
      });
      note.onclick = () => {
        window.focus();
        this.enter();
        note.close();
      };
    } catch {
      // Some browsers only notify from a service worker: the dialog is there.
    }
  }

  private get dialog(): HTMLDialogElement | null {
    return this.querySelector('dialog');
  }

  private enter(event?: Event): void {
    event?.preventDefault();
    const call = this.call;
    this.dialog?.close();
    if (call) navigate(`/spaces/${call.space}`);
  }

  override render() {
    const call = this.call;
    return html`
      <dialog class="call-dialog" aria-labelledby="cv-call-title" aria-describedby="cv-call-body">
        ${call
          ? html`
              <h2 id="cv-call-title">${t('care.call.title')}</h2>
              <p id="cv-call-body">${t('care.call.body')}</p>
              <p class="call-dialog__actions">
                <a class="button button--primary" id="cv-call-enter" href="/spaces/${call.space}" @click=${(e: Event) => this.enter(e)}>
                  ${t('care.call.enter')}
                </a>
                <button class="button button--quiet" @click=${() => this.dialog?.close()}>${t('care.call.later')}</button>
              </p>
            `
          : nothing}
      </dialog>
    `;
  }
}

customElements.define('cv-admission-call', AdmissionCall);

declare global {
  interface HTMLElementTagNameMap {
    'cv-admission-call': AdmissionCall;
  }
}
