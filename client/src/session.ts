/** The signed-in account, shared by the shell and the pages. */
import type { Account } from './api/auth';
import { setLocale } from './i18n';

type Listener = (account: Account | null) => void;

let account: Account | null = null;
const listeners = new Set<Listener>();
/** A one-shot message for the sign-in page (e.g. "You have signed out."). */
let notice: string | null = null;

export function getAccount(): Account | null {
  return account;
}

export function setAccount(next: Account | null): void {
  account = next;
  // The account's language wins over the browser's; signed out, the browser's is used.
  setLocale(next?.preferred_language ?? null);
  for (const listener of listeners) listener(account);
}

export function onAccountChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function setNotice(message: string | null): void {
  notice = message;
}

export function takeNotice(): string | null {
  const message = notice;
  notice = null;
  return message;
}
