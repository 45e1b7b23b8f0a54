/** The account and session endpoints of `/api/auth` and `/api/me`. */
import { ApiError, forgetSession, mayHaveSession } from './http';
import { api, type Schema } from './typed';

/** The roles the server knows (`careverse.kernel.policy.Role`). */
export type KnownRole = Schema<'Role'>;

/** The signed-in account (`AccountOut`). */
export type Account = Schema<'AccountOut'>;

export type SignInRequest = Schema<'SessionIn'>;

export type RegisterRequest = Schema<'RegistrationIn'>;

/** Sign-up's answer: the same whether or not the address already had an account. */
export type Registered = Schema<'AcceptedOut'>;

export async function signIn(credentials: SignInRequest): Promise<Account> {
  const body = await api.post('/api/auth/session', { body: credentials, noRefresh: true });
  return body.account;
}

export async function signOut(): Promise<void> {
  try {
    await api.delete('/api/auth/session', { noRefresh: true });
  } finally {
    forgetSession();
  }
}

export function register(account: RegisterRequest): Promise<Registered> {
  return api.post('/api/auth/register', { body: account, noRefresh: true });
}

/** The signed-in account, or null when there is no session (without asking if none can exist). */
export async function currentAccount(): Promise<Account | null> {
  if (!mayHaveSession()) return null;
  try {
    return await api.get('/api/me');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

// ---- two-step sign-in (TOTP) -------------------------------------------------------------

/** The shared secret in base32 (for typing into an app) and the `otpauth://` URI a QR code carries. */
export type TotpEnrolment = Schema<'TotpEnrolmentOut'>;

/** Begin enrolling an authenticator app; a new secret each time, active once confirmed. */
export function startTotp(): Promise<TotpEnrolment> {
  return api.post('/api/me/mfa/totp');
}

/** Turn two-step sign-in on with a first code from the app. */
export function confirmTotp(code: string): Promise<void> {
  return api.post('/api/me/mfa/totp/confirm', { body: { code } });
}

/** Turn two-step sign-in off (refused with `mfa_mandatory` where the role requires it). */
export function disableTotp(code: string): Promise<void> {
  return api.post('/api/me/mfa/totp/disable', { body: { code } });
}

// ---- passwords ---------------------------------------------------------------------------

/** Change the password; the server ends the account's other sessions. */
export function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  return api.post('/api/me/password', {
    body: { current_password: currentPassword, new_password: newPassword },
  });
}

/** Ask for a reset link by e-mail; the answer is the same whether or not the account exists. */
export async function requestPasswordReset(email: string): Promise<void> {
  await api.post('/api/auth/password-reset', { body: { email }, noRefresh: true });
}

/** Set a new password with a reset link's token; every session of the account ends. */
export function confirmPasswordReset(token: string, newPassword: string): Promise<void> {
  return api.post('/api/auth/password-reset/confirm', {
    body: { token, new_password: newPassword },
    noRefresh: true,
  });
}

/** Set the signed-in account's language (a BCP 47 tag; null: follow the browser). */
export function setPreferredLanguage(language: string | null): Promise<Account> {
  return api.patch('/api/me', { body: { preferred_language: language } });
}
