/**
 * A server-sent event stream that outlives an expired access cookie. The browser closes a
 * refused EventSource for good (the server answers 401); the stream then refreshes the session
 * once for the page (`refreshSession(seen)`: a caller that saw an older session retries instead
 * of rotating again) and reopens, waiting longer each time (1 s, doubling, up to `maxDelayMs`).
 * Each `event` frame is parsed as JSON and handed to `onData`; an undecodable frame is dropped
 * (the page's own reads are the truth). `onOpen(reopened)` is called whenever the stream is up,
 * `reopened` after a break, so a page can fetch what it missed. Answers the way to stop.
 */
import { mayHaveSession, refreshSession, sessionGeneration } from './http';

export interface LiveStream<T> {
  url: string;
  event: string;
  onData: (data: T) => void;
  onOpen?: (reopened: boolean) => void;
  maxDelayMs?: number;
  /** Open only while the page may have a session (the default); false: always try. */
  whenSignedIn?: boolean;
}

export function liveStream<T>(options: LiveStream<T>): () => void {
  const { url, event, onData, onOpen, maxDelayMs = 60_000, whenSignedIn = true } = options;
  let source: EventSource | null = null;
  let timer: number | null = null;
  let delay = 1000;
  let stopped = false;
  let reopened = false;
  const open = (): void => {
    if (stopped || source || (whenSignedIn && !mayHaveSession())) return;
    const seen = sessionGeneration();
    const stream = new EventSource(url, { withCredentials: true });
    source = stream;
    stream.addEventListener('open', () => {
      delay = 1000;
      onOpen?.(reopened);
      reopened = false;
    });
    stream.addEventListener(event, (frame) => {
      try {
        onData(JSON.parse((frame as MessageEvent<string>).data) as T);
      } catch {
        // An undecodable frame is dropped.
      }
    });
    stream.addEventListener('error', () => {
      if (stream.readyState !== EventSource.CLOSED) return;
      stream.close();
      source = null;
      reopened = true;
      timer = window.setTimeout(async () => {
        timer = null;
        await refreshSession(seen);
        open();
      }, delay);
      delay = Math.min(delay * 2, maxDelayMs);
    });
  };
  open();
  return () => {
    stopped = true;
    source?.close();
    source = null;
    if (timer !== null) window.clearTimeout(timer);
  };
}
