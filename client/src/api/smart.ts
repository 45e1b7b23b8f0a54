/**
 * SMART App Launch: the consent screen's calls (`/api/smart/consent`), the admin's registered
 * apps (`/api/admin/smart-apps`) and the person's authorised apps (`/api/me/apps`).
 */
import { api, type Schema, type Sent } from './typed';

export type AuthorizeParams = Schema<'AuthorizeParams'>;
export type ConsentPreview = Sent<Schema<'ConsentPreview'>>;
export type SmartApp = Sent<Schema<'AppOut'>>;
export type NewSmartApp = Schema<'AppIn'>;
export type AuthorisedApp = Sent<Schema<'AuthorisedApp'>>;

/** The app's request as it arrived in the consent page's address (from /oauth/authorize). */
export function authorizeParams(search: string): AuthorizeParams {
  const query = new URLSearchParams(search);
  const value = (name: string) => query.get(name) ?? undefined;
  return {
    client_id: query.get('client_id') ?? '',
    redirect_uri: query.get('redirect_uri') ?? '',
    response_type: value('response_type'),
    scope: value('scope'),
    state: value('state'),
    code_challenge: value('code_challenge'),
    code_challenge_method: value('code_challenge_method'),
    launch: value('launch'),
    nonce: value('nonce'),
    aud: value('aud'),
  };
}

export function consentPreview(params: AuthorizeParams): Promise<ConsentPreview> {
  return api.post('/api/smart/consent/preview', { body: params });
}

/** The person's answer; resolves to where the browser goes next (back to the app). */
export function decideConsent(
  params: AuthorizeParams,
  approve: boolean,
  scopes: string[] | null,
  patientId: string | null,
): Promise<{ redirect_to: string }> {
  return api.post('/api/smart/consent', {
    body: { ...params, approve, scopes, patient_id: patientId },
  });
}

export function smartApps(): Promise<SmartApp[]> {
  return api.get('/api/admin/smart-apps');
}

export function registerSmartApp(app: NewSmartApp): Promise<SmartApp> {
  return api.post('/api/admin/smart-apps', { body: app });
}

export function setSmartAppActive(id: string, active: boolean): Promise<SmartApp> {
  return api.patch('/api/admin/smart-apps/{app_id}', { path: { app_id: id }, body: { is_active: active } });
}

export function authorisedApps(): Promise<AuthorisedApp[]> {
  return api.get('/api/me/apps');
}

export function revokeApp(id: string): Promise<void> {
  return api.delete('/api/me/apps/{grant_id}', { path: { grant_id: id } });
}

export type LaunchableApp = Sent<Schema<'LaunchableApp'>>;

/** The apps the signed-in person may launch with a patient in context (EHR launch). */
export function launchableApps(): Promise<LaunchableApp[]> {
  return api.get('/api/smart/launch-apps');
}

/** Launch an app for a patient: resolves to the address to open (the app's launch URL with an
 * opaque, single-use `launch` handle; never the patient's id). */
export function launchApp(appId: string, patientId: string): Promise<{ launch_url: string }> {
  return api.post('/api/smart/launch', { body: { app_id: appId, patient_id: patientId } });
}
