/**
 * The patient's control over their data (`/api/me/...`): who accessed the record, consents,
 * caregiver delegations, the FHIR export and account erasure.
 */
import { download, type DownloadedFile } from './http';
import { api, apiUrl, type Schema, type Sent } from './typed';

// ---- access history ----------------------------------------------------------------------

/**
 * One access to the patient's record by someone else (the server sends newest first): `action`
 * is `record.read`, `consent.grant`, …; `outcome` `success`, `denied` or `failure`; `basis` why
 * the policy allowed it (`self`, `delegation`, `care-relationship`, `break-glass`); `reason` the
 * one a clinician stated for emergency access.
 */
export type AccessLogEntry = Sent<Schema<'AccessLogEntry'>>;

export function accessLog(): Promise<AccessLogEntry[]> {
  return api.get('/api/me/access-log');
}

// ---- consents ----------------------------------------------------------------------------

/** What a consent can be given for (the server's `Purpose` less `self`, which needs none). */
export type ConsentPurpose = Schema<'ConsentIn'>['purpose'];
export type ConsentDecision = Schema<'ConsentIn'>['decision'];

/** A consent decision; `actor_id` is the one person it is about, or null for everyone. */
export type Consent = Sent<Schema<'ConsentOut'>>;

export type ConsentRequest = Schema<'ConsentIn'>;

export function consents(): Promise<Consent[]> {
  return api.get('/api/me/consents');
}

export function grantConsent(consent: ConsentRequest): Promise<Consent> {
  return api.post('/api/me/consents', { body: consent });
}

/** Withdraw a consent; answers it, now inactive. */
export function withdrawConsent(id: string): Promise<Consent> {
  return api.delete('/api/me/consents/{consent_id}', { path: { consent_id: id } });
}

/** A consent that counts now: active, and its period not over. */
export function isInForce(consent: Consent, now = Date.now()): boolean {
  if (consent.status !== 'active') return false;
  if (Date.parse(consent.period_start) > now) return false;
  return consent.period_end === null || Date.parse(consent.period_end) > now;
}

// ---- caregiver delegations ---------------------------------------------------------------

/** The kinds of data a delegation covers, each readable (`:read`) or changeable (`:write`). */
export const DELEGATION_CATEGORIES = [
  'record',
  'vitals',
  'appointments',
  'consults',
  'messages',
] as const;
export type DelegationCategory = (typeof DELEGATION_CATEGORIES)[number];
export type DelegationMode = 'read' | 'write';

/** A caregiver's scoped, expiring access; `scopes` are `record:read`, `vitals:write`, … */
export type Delegation = Sent<Schema<'DelegationOut'>>;

export type DelegationRequest = Schema<'DelegationIn'>;

/** A patient's grants to caregivers, or (for a caregiver) the delegations they hold. */
export function delegations(): Promise<Delegation[]> {
  return api.get('/api/me/delegations');
}

export function grantDelegation(delegation: DelegationRequest): Promise<Delegation> {
  return api.post('/api/me/delegations', { body: delegation });
}

export function revokeDelegation(id: string): Promise<void> {
  return api.delete('/api/me/delegations/{delegation_id}', { path: { delegation_id: id } });
}

// ---- export and erasure ------------------------------------------------------------------

/** The whole record as a FHIR Bundle (JSON), as a file to save. */
export function exportRecord(): Promise<DownloadedFile> {
  return download(apiUrl('/api/me/export'), 'careverse-record.json');
}

/** The same record as a readable, printable HTML document (no script, no external asset). */
export function exportReadableRecord(): Promise<DownloadedFile> {
  return download(apiUrl('/api/me/export', { query: { format: 'html' } }), 'careverse-record.html');
}

/** Whether erasure is scheduled, and when (`due_at` may be left out where none is). */
export type ErasureStatus = Schema<'ErasureOut'>;

export function erasureStatus(): Promise<ErasureStatus> {
  return api.get('/api/me/erasure');
}

/** Schedule the account's erasure after the grace period. */
export function requestErasure(): Promise<ErasureStatus> {
  return api.delete('/api/me');
}

/** Keep the account: cancel a scheduled erasure. */
export function cancelErasure(): Promise<void> {
  return api.post('/api/me/erasure/cancel');
}
