/** Turning failed requests into messages a person can act on. */
import { ApiError, NetworkError, hasErrorCode } from '../api/http';
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
    case 'mfa_mandatory':
      return t('error.mfaMandatory');
    case 'mfa_enrolment_required':
      return t('error.mfaEnrolmentRequired');
    case 'email_not_configured':
      return t('error.emailNotConfigured');
    default:
      break;
  }
  if (hasErrorCode(error, 'invalid_reset_token')) return t('error.resetLinkInvalid');
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

/**
 * A failed request's field messages, sorted into the form's own fields. `fields` maps the
 * request body's names (as the server reports them in `loc`) to the form's field names;
 * messages for fields the form does not have come back in `unplaced`.
 */
export function placeFieldErrors<F extends string>(
  error: ApiError,
  fields: Readonly<Record<string, F>>,
): { errors: Partial<Record<F, string>>; unplaced: string[] } {
  const errors: Partial<Record<F, string>> = {};
  const unplaced: string[] = [];
  for (const [name, message] of Object.entries(error.fieldErrors)) {
    const field = fields[name];
    if (field) errors[field] = message;
    else unplaced.push(message);
  }
  return { errors, unplaced };
}
