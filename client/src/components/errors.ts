/** Turning failed requests into messages a person can act on. */
import { ApiError, NetworkError } from '../api/http';
import { t } from '../i18n';

/** A translated, human message for a failed request. */
export function describeError(error: unknown): string {
  if (error instanceof NetworkError) return t('error.network');
  if (!(error instanceof ApiError)) return t('error.server');
  switch (error.code) {
    case 'invalid_credentials':
      return t('error.invalidCredentials');
    case 'mfa_invalid':
      return t('error.mfaInvalid');
    case 'too_many_attempts':
      return tooManyAttempts(error);
    case 'email_taken':
      return t('error.emailTaken');
    case 'csrf':
      return t('error.csrf');
    default:
      break;
  }
  if (error.status === 429) return tooManyAttempts(error);
  // The server's own words are the clearest account of anything we have no message for
  // (for instance its password policy).
  if (error.detail) return error.detail;
  const fieldMessages = Object.values(error.fieldErrors);
  if (fieldMessages.length > 0) return fieldMessages.join(' ');
  if (error.status === 403) return t('error.notAllowed');
  if (error.status >= 500) return t('error.server');
  return t('error.generic', { status: error.status });
}

function tooManyAttempts(error: ApiError): string {
  const seconds = error.retryAfter;
  if (seconds === null || seconds <= 0) return t('error.tooManyAttemptsLater');
  if (seconds < 120) return t('error.tooManyAttempts', { count: seconds });
  return t('error.tooManyAttemptsMinutes', { count: Math.ceil(seconds / 60) });
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function looksLikeEmail(value: string): boolean {
  return EMAIL.test(value.trim());
}
