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
