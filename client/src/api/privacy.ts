/**
 * The patient's control over their data (`/api/me/...`): who accessed the record, consents,
 * caregiver delegations, the FHIR export and account erasure.
 */
import { download, request, type DownloadedFile } from './http';

// ---- access history ----------------------------------------------------------------------

/** One access to the patient's record by someone else (the server sends newest first). */
export interface AccessLogEntry {
  /** ISO 8601, UTC. */
  at: string;
  actor_name: string;
  actor_role: string | null;
  /** `record.read`, `vitals.write`, `break-glass.start`, `consent.grant`, … */
  action: string;
  /** `success`, `denied` or `failure`. */
  outcome: string;
  /** `treatment`, `research`, `community`, `org-sharing`, `self` or null. */
  purpose: string | null;
  /** Why the access policy allowed it: `self`, `delegation`, `care-relationship`, `break-glass`. */
  basis: string | null;
  resource_type: string | null;
  /** The reason a clinician stated for emergency access. */
  reason: string | null;
}

export function accessLog(): Promise<AccessLogEntry[]> {
  return request<AccessLogEntry[]>('GET', '/api/me/access-log');
}

// ---- consents ----------------------------------------------------------------------------

export type ConsentPurpose = 'treatment' | 'research' | 'community' | 'org-sharing';
export type ConsentDecision = 'permit' | 'deny';

export interface Consent {
  id: string;
  purpose: ConsentPurpose;
  decision: ConsentDecision;
  /** The one person a decision is about, or null for everyone. */
  actor_id: string | null;
  organization: string | null;
  period_start: string;
  period_end: string | null;
  status: 'active' | 'inactive';
}

export interface ConsentRequest {
  purpose: ConsentPurpose;
  decision: ConsentDecision;
  organization?: string;
  /** ISO 8601 date-time. */
  period_end?: string;
}

export function consents(): Promise<Consent[]> {
  return request<Consent[]>('GET', '/api/me/consents');
}

export function grantConsent(consent: ConsentRequest): Promise<Consent> {
  return request<Consent>('POST', '/api/me/consents', consent);
}

/** Withdraw a consent; answers it, now inactive. */
export function withdrawConsent(id: string): Promise<Consent> {
  return request<Consent>('DELETE', `/api/me/consents/${encodeURIComponent(id)}`);
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

export interface Delegation {
  id: string;
  patient_id: string;
  patient_name: string;
  caregiver_id: string;
  caregiver_name: string;
  /** `record:read`, `vitals:write`, … */
  scopes: string[];
  expires_at: string;
  active: boolean;
}

export interface DelegationRequest {
  caregiver_email: string;
  scopes: string[];
  /** ISO 8601 date-time. */
  expires_at: string;
}

/** A patient's grants to caregivers, or (for a caregiver) the delegations they hold. */
export function delegations(): Promise<Delegation[]> {
  return request<Delegation[]>('GET', '/api/me/delegations');
}

export function grantDelegation(delegation: DelegationRequest): Promise<Delegation> {
  return request<Delegation>('POST', '/api/me/delegations', delegation);
}

export function revokeDelegation(id: string): Promise<void> {
  return request<void>('DELETE', `/api/me/delegations/${encodeURIComponent(id)}`);
}

// ---- export and erasure ------------------------------------------------------------------

/** The whole record as a FHIR Bundle (JSON), as a file to save. */
export function exportRecord(): Promise<DownloadedFile> {
  return download('/api/me/export', 'careverse-record.json');
}

export interface ErasureStatus {
  status: 'none' | 'scheduled';
  due_at?: string | null;
}

export function erasureStatus(): Promise<ErasureStatus> {
  return request<ErasureStatus>('GET', '/api/me/erasure');
}

/** Schedule the account's erasure after the grace period. */
export function requestErasure(): Promise<ErasureStatus> {
  return request<ErasureStatus>('DELETE', '/api/me');
}

/** Keep the account: cancel a scheduled erasure. */
export function cancelErasure(): Promise<void> {
  return request<void>('POST', '/api/me/erasure/cancel');
}
