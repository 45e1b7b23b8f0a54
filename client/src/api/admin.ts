/**
 * The operator's endpoints: accounts (`/api/admin/accounts`), the audit trail and its
 * verification (`/api/admin/audit`), and the node's status (`/api/admin/system`). Admins only;
 * the server audits every one of these reads.
 */
import { api, type Schema, type Sent } from './typed';

export type AdminAccount = Sent<Schema<'AdminAccountOut'>>;
export type NewAccountRequest = Schema<'NewAccountIn'>;
export type NewAccount = Sent<Schema<'NewAccountOut'>>;
export type AccountRole = Schema<'Role'>;

export interface AccountSearch {
  q?: string;
  role?: AccountRole;
  active?: boolean;
}

export function searchAccounts(search: AccountSearch): Promise<AdminAccount[]> {
  return api.get('/api/admin/accounts', { query: search });
}

export function createAccount(account: NewAccountRequest): Promise<NewAccount> {
  return api.post('/api/admin/accounts', { body: account });
}

/** Turn an account off (every session ends at once) or on again. */
export function setAccountActive(id: string, active: boolean): Promise<AdminAccount> {
  return api.patch('/api/admin/accounts/{account_id}', {
    path: { account_id: id },
    body: { is_active: active },
  });
}

/** E-mail the person a single-use reset link; the admin never sees it. */
export function sendPasswordReset(id: string): Promise<unknown> {
  return api.post('/api/admin/accounts/{account_id}/password-reset', { path: { account_id: id } });
}

export type AuditEntry = Sent<Schema<'AuditEventOut'>>;
export type AuditPage = Sent<Schema<'AuditPageOut'>>;
export type AuditChain = Sent<Schema<'AuditChainOut'>>;
export type AuditOutcome = Schema<'Outcome'>;

export interface AuditSearch {
  actor_id?: string;
  patient_id?: string;
  action?: string;
  outcome?: AuditOutcome;
  since?: string;
  until?: string;
  before_seq?: number;
  limit?: number;
}

export function searchAudit(search: AuditSearch): Promise<AuditPage> {
  return api.get('/api/admin/audit', { query: search });
}

export function verifyAuditChain(): Promise<AuditChain> {
  return api.get('/api/admin/audit/verification');
}

export type SystemStatus = Sent<Schema<'SystemOut'>>;

export function systemStatus(): Promise<SystemStatus> {
  return api.get('/api/admin/system');
}
