/**
 * HTTP to the Careverse server.
 *
 * Browser auth is cookie based: the session and refresh tokens live in HttpOnly cookies that this
 * code never sees. Mutating requests carry the `cv_csrf` cookie's value in `X-CSRF-Token`
 * (double-submit). When a call answers 401 because the access cookie expired, the session is
 * refreshed once (shared by concurrent callers) and the call is retried.
 */

import type { PathWith } from './typed';

export const CSRF_COOKIE = 'cv_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Checked against the schema: the typed wrapper sits on top of this module, so it is not used here. */
const REFRESH_PATH = '/api/auth/session/refresh' satisfies PathWith<'post'>;
/** Codes meaning "your access cookie is missing or stale": worth one refresh. */
const REFRESHABLE = new Set(['token_expired', 'not_authenticated']);

/** A field-level message from a 422 answer, keyed by the field's name in the request body. */
export type FieldErrors = Record<string, string>;

export class ApiError extends Error {
  readonly status: number;
  /** The server's machine code (`invalid_credentials`, `mfa_required`, …) or '' if none. */
  readonly code: string;
  /** The server's human message, if it sent one. */
  readonly detail: string;
  readonly fieldErrors: FieldErrors;
  /** The `type` of each item of a 422 answer's `detail` list (`invalid_reset_token`, …). */
  readonly types: readonly string[];
  /** Seconds from a `Retry-After` header, when present. */
  readonly retryAfter: number | null;
  /** A 422 answer's items with their whole path (`scenario.states.0.id`), for nested forms. */
  readonly issues: readonly { path: string; message: string }[];

  constructor(init: {
    status: number;
    code?: string;
    detail?: string;
    fieldErrors?: FieldErrors;
    types?: readonly string[];
    retryAfter?: number | null;
    issues?: readonly { path: string; message: string }[];
  }) {
    super(init.detail || `HTTP ${init.status}`);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code ?? '';
    this.detail = init.detail ?? '';
    this.fieldErrors = init.fieldErrors ?? {};
    this.types = init.types ?? [];
    this.retryAfter = init.retryAfter ?? null;
    this.issues = init.issues ?? [];
  }
}

/** True when `error` is an ApiError with machine code `code`, as its code or an item's type. */
export function hasErrorCode(error: unknown, code: string): boolean {
  return error instanceof ApiError && (error.code === code || error.types.includes(code));
}

/** The request never reached the server, or its answer never came back. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('network error', { cause });
    this.name = 'NetworkError';
  }
}

export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [rawKey, ...rest] = part.trim().split('=');
    if (rawKey === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

/** True when the browser may hold a session: the JS-readable CSRF cookie is set beside it. */
export function mayHaveSession(): boolean {
  return readCookie(CSRF_COOKIE) !== null;
}

/** Drop the JS-readable session marker (the server clears the HttpOnly cookies itself). */
export function forgetSession(): void {
  document.cookie = `${CSRF_COOKIE}=; Max-Age=0; Path=/; SameSite=Strict`;
}

type SessionLostListener = () => void;
const sessionLostListeners = new Set<SessionLostListener>();

/** Called when the session expired and could not be refreshed. */
export function onSessionLost(listener: SessionLostListener): () => void {
  sessionLostListeners.add(listener);
  return () => sessionLostListeners.delete(listener);
}

type EnrolmentRequiredListener = () => void;
const enrolmentRequiredListeners = new Set<EnrolmentRequiredListener>();

/**
 * Called when the server refuses a request because the account must set up two-step sign-in
 * first (for instance when an operator made it mandatory during this session).
 */
export function onEnrolmentRequired(listener: EnrolmentRequiredListener): () => void {
  enrolmentRequiredListeners.add(listener);
  return () => enrolmentRequiredListeners.delete(listener);
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** Pydantic prefixes custom validator messages; the person reading them does not need that. */
function cleanValidationMessage(message: string): string {
  return message.replace(/^Value error,\s*/i, '').replace(/^Assertion failed,\s*/i, '');
}

interface ValidationItem {
  loc?: (string | number)[];
  msg?: string;
  type?: string;
}

async function toApiError(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
  if (body && typeof body === 'object') {
    const { detail, code } = body as { detail?: unknown; code?: unknown };
    if (Array.isArray(detail)) {
      const fieldErrors: FieldErrors = {};
      const loose: string[] = [];
      const types: string[] = [];
      const issues: { path: string; message: string }[] = [];
      for (const item of detail as ValidationItem[]) {
        if (typeof item.type === 'string') types.push(item.type);
        const message = cleanValidationMessage(String(item.msg ?? ''));
        const loc = (item.loc ?? []).filter((part) => part !== 'body');
        issues.push({ path: loc.join('.'), message });
        const field = loc.length > 0 ? String(loc[loc.length - 1]) : '';
        if (field && !(field in fieldErrors)) fieldErrors[field] = message;
        else if (!field) loose.push(message);
      }
      return new ApiError({
        status: response.status,
        code: typeof code === 'string' ? code : 'validation_error',
        detail: loose.join(' '),
        fieldErrors,
        types,
        retryAfter,
        issues,
      });
    }
    return new ApiError({
      status: response.status,
      code: typeof code === 'string' ? code : '',
      detail: typeof detail === 'string' ? detail : '',
      retryAfter,
    });
  }
  return new ApiError({ status: response.status, retryAfter });
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  // A FormData body (file uploads) sets its own multipart Content-Type with the boundary.
  const form = body instanceof FormData;
  if (body !== undefined && !form) headers['Content-Type'] = 'application/json';
  if (MUTATING.has(method)) {
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) headers[CSRF_HEADER] = csrf;
  }
  try {
    return await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : form ? body : JSON.stringify(body),
    });
  } catch (error) {
    throw new NetworkError(error);
  }
}

let refreshing: Promise<boolean> | null = null;
/** How many times this page rotated the session: a request sent before a rotation retries as is. */
let generation = 0;

/** The session's rotation count now; pass it to `refreshSession` after a refused request. */
export function sessionGeneration(): number {
  return generation;
}

/**
 * Rotate the session cookies. Concurrent callers share one refresh. A caller that passes the
 * generation it saw when it sent its request does not rotate again if the session was rotated
 * since: a second rotation would void the access cookie that other requests in flight carry.
 */
export function refreshSession(seen?: number): Promise<boolean> {
  if (refreshing) return refreshing;
  if (seen !== undefined && seen !== generation) return Promise.resolve(true);
  refreshing = send('POST', REFRESH_PATH)
    .then((response) => {
      // A refused refresh means the session is over: forget its CSRF cookie so that later
      // page loads do not keep asking for an account that is gone.
      if (response.status === 401 || response.status === 403) forgetSession();
      if (response.ok) generation += 1;
      return response.ok;
    })
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

export interface RequestOptions {
  /** Do not refresh-and-retry on 401 (sign-in itself, or when a 401 is an expected answer). */
  noRefresh?: boolean;
}

/** Send a request and answer its successful response, or throw ApiError. */
async function exchange(
  method: string,
  path: string,
  body: unknown,
  options: RequestOptions,
): Promise<Response> {
  const seen = generation;
  let response = await send(method, path, body);
  if (response.status === 401 && !options.noRefresh) {
    const error = await toApiError(response.clone());
    if (REFRESHABLE.has(error.code) && mayHaveSession()) {
      if (await refreshSession(seen)) {
        response = await send(method, path, body);
      }
      if (response.status === 401) {
        for (const listener of sessionLostListeners) listener();
      }
    }
  }
  if (!response.ok) {
    const error = await toApiError(response);
    if (error.status === 403 && error.code === 'mfa_enrolment_required') {
      for (const listener of enrolmentRequiredListeners) listener();
    }
    throw error;
  }
  return response;
}

/** Send a JSON request; resolve to the parsed body (undefined for 204), or throw ApiError. */
export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const response = await exchange(method, path, body, options);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A file the server sent as an attachment. */
export interface DownloadedFile {
  blob: Blob;
  /** The name from `Content-Disposition`, or `fallbackName`. */
  filename: string;
}

function attachmentName(disposition: string | null): string | null {
  if (!disposition) return null;
  const encoded = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition);
  if (encoded?.[1]) {
    try {
      return decodeURIComponent(encoded[1].trim().replace(/^"|"$/g, ''));
    } catch {
      // Fall through to the plain name.
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  return plain?.[1]?.trim() || null;
}

/** GET a file (with the session's cookies and a refresh when needed), as a Blob. */
export async function download(path: string, fallbackName: string): Promise<DownloadedFile> {
  const response = await exchange('GET', path, undefined, {});
  let blob: Blob;
  try {
    blob = await response.blob();
  } catch (error) {
    throw new NetworkError(error);
  }
  const name = attachmentName(response.headers.get('Content-Disposition'));
  // Only a plain file name: never a path.
  const safe = name?.replace(/[\\/]/g, '_');
  return { blob, filename: safe || fallbackName };
}
