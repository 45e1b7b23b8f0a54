/** The account and session endpoints of `/api/auth` and `/api/me`. */
import { ApiError, forgetSession, mayHaveSession, request } from './http';

export type KnownRole = 'patient' | 'caregiver' | 'clinician' | 'moderator' | 'researcher' | 'admin';

export interface Account {
  id: string;
  email: string;
  /** One of KnownRole today; typed loosely so a newer server's roles do not break the client. */
  role: string;
  display_name: string;
  patient_id: string | null;
  preferred_language: string | null;
  mfa_enabled: boolean;
  /** A clinician or admin who must set up two-step sign-in before doing anything else. */
  mfa_enrolment_required?: boolean;
}

export interface SignInRequest {
  email: string;
  password: string;
  otp?: string;
}

export interface RegisterRequest {
  email: string;
  password: string;
  display_name: string;
  role: 'patient' | 'caregiver';
  birth_date?: string;
  preferred_language?: string;
}

export interface Registered {
  id: string;
  patient_id: string | null;
}

export async function signIn(credentials: SignInRequest): Promise<Account> {
  const body = await request<{ account: Account }>('POST', '/api/auth/session', credentials, {
    noRefresh: true,
  });
  return body.account;
}

export async function signOut(): Promise<void> {
  try {
    await request<void>('DELETE', '/api/auth/session', undefined, { noRefresh: true });
  } finally {
    forgetSession();
  }
}

export function register(account: RegisterRequest): Promise<Registered> {
  return request<Registered>('POST', '/api/auth/register', account, { noRefresh: true });
}

/** The signed-in account, or null when there is no session (without asking if none can exist). */
export async function currentAccount(): Promise<Account | null> {
  if (!mayHaveSession()) return null;
  try {
    return await request<Account>('GET', '/api/me');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

// ---- two-step sign-in (TOTP) -------------------------------------------------------------

export interface TotpEnrolment {
  /** The shared secret in base32, for typing into an app that cannot scan. */
  secret: string;
  /** `otpauth://totp/...`: what the QR code carries. */
  otpauth_uri: string;
}

/** Begin enrolling an authenticator app; a new secret each time, active once confirmed. */
export function startTotp(): Promise<TotpEnrolment> {
  return request<TotpEnrolment>('POST', '/api/me/mfa/totp');
}

/** Turn two-step sign-in on with a first code from the app. */
export function confirmTotp(code: string): Promise<void> {
  return request<void>('POST', '/api/me/mfa/totp/confirm', { code });
}

/** Turn two-step sign-in off (refused with `mfa_mandatory` where the role requires it). */
export function disableTotp(code: string): Promise<void> {
  return request<void>('POST', '/api/me/mfa/totp/disable', { code });
}

// ---- passwords ---------------------------------------------------------------------------

/** Change the password; the server ends the account's other sessions. */
export function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  return request<void>('POST', '/api/me/password', {
    current_password: currentPassword,
    new_password: newPassword,
  });
}

/** Ask for a reset link by e-mail; the answer is the same whether or not the account exists. */
export async function requestPasswordReset(email: string): Promise<void> {
  await request<unknown>('POST', '/api/auth/password-reset', { email }, { noRefresh: true });
}

/** Set a new password with a reset link's token; every session of the account ends. */
export function confirmPasswordReset(token: string, newPassword: string): Promise<void> {
  return request<void>(
    'POST',
    '/api/auth/password-reset/confirm',
    { token, new_password: newPassword },
    { noRefresh: true },
  );
}
