/** Caregiver delegation scopes (`vitals:read`, …) in words. */
import { DELEGATION_CATEGORIES, type DelegationMode } from '../api/privacy';
import { t, type MessageKey } from '../i18n';

const MODES: readonly DelegationMode[] = ['read', 'write'];

/** Every scope a patient can grant, in the order forms and lists show them. */
export const SCOPES: readonly string[] = DELEGATION_CATEGORIES.flatMap((category) =>
  MODES.map((mode) => `${category}:${mode}`),
);

/**
 * A scope in words: from the patient's side ("See your vitals") or the caregiver's ("See their
 * vitals"); a scope this client does not know is shown as the server sent it.
 */
export function scopeLabel(scope: string, side: 'patient' | 'caregiver'): string {
  if (!SCOPES.includes(scope)) return scope;
  const [category, mode] = scope.split(':');
  const prefix = side === 'patient' ? 'scope' : 'heldScope';
  return t(`${prefix}.${category}.${mode}` as MessageKey);
}

/** Scopes in the usual order, known ones first. */
export function sortScopes(scopes: readonly string[]): string[] {
  const known = SCOPES.filter((scope) => scopes.includes(scope));
  return [...known, ...scopes.filter((scope) => !SCOPES.includes(scope))];
}
