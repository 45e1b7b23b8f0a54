/** Research: studies, research consent, cohorts, exports and trials (`/api/research/...`). */
import { download, type DownloadedFile } from './http';
import { api, apiUrl, type Schema, type Sent } from './typed';

export type Study = Sent<Schema<'ResearchStudyOut'>>;
export type StudyIn = Schema<'ResearchStudyIn'>;
export type Approver = Sent<Schema<'ResearchApproverOut'>>;
export type Cohort = Sent<Schema<'ResearchCohortOut'>>;
export type Criteria = Schema<'ResearchCriteriaIn'>;
export type ResearchConsent = Sent<Schema<'ResearchConsentOut'>>;
export type Export = Sent<Schema<'ResearchExportOut'>>;
export type Trial = Sent<Schema<'ResearchTrialOut'>>;
export type TrialIn = Schema<'ResearchTrialIn'>;
export type Allocation = Sent<Schema<'ResearchAllocationOut'>>;

export const AGE_BANDS = ['0-17', '18-29', '30-39', '40-49', '50-59', '60-69', '70-79', '80-89', '90+'] as const;
export const SEXES = ['female', 'male', 'other', 'unknown'] as const;
export const OPS = ['>', '>=', '<', '<=', '='] as const;
export const INTERVENTIONS = ['challenge-mode', 'exposure-programme', 'reminder-schedule'] as const;

export const approvers = (): Promise<Approver[]> => api.get('/api/research/approvers');
export const studies = (): Promise<Study[]> => api.get('/api/research/studies');
export const createStudy = (body: StudyIn): Promise<Study> =>
  api.post('/api/research/studies', { body });
export const study = (id: string): Promise<Study> =>
  api.get('/api/research/studies/{study_id}', { path: { study_id: id } });
export const approveStudy = (id: string): Promise<Study> =>
  api.post('/api/research/studies/{study_id}/approve', { path: { study_id: id } });

export const myConsents = (): Promise<ResearchConsent[]> => api.get('/api/research/consents');
export const optIn = (id: string): Promise<void> =>
  api.post('/api/research/studies/{study_id}/consent', { path: { study_id: id } });
export const withdraw = (id: string): Promise<void> =>
  api.delete('/api/research/studies/{study_id}/consent', { path: { study_id: id } });

export const cohorts = (id: string): Promise<Cohort[]> =>
  api.get('/api/research/studies/{study_id}/cohorts', { path: { study_id: id } });
export const createCohort = (id: string, name: string, criteria: Criteria): Promise<Cohort> =>
  api.post('/api/research/studies/{study_id}/cohorts', {
    path: { study_id: id },
    body: { name, criteria },
  });
export const countCohort = (id: string, cohortId: string): Promise<Cohort> =>
  api.get('/api/research/studies/{study_id}/cohorts/{cohort_id}', {
    path: { study_id: id, cohort_id: cohortId },
  });

export const exports = (id: string): Promise<Export[]> =>
  api.get('/api/research/studies/{study_id}/exports', { path: { study_id: id } });
export const startExport = (id: string, cohortId: string): Promise<Export> =>
  api.post('/api/research/studies/{study_id}/cohorts/{cohort_id}/$export', {
    path: { study_id: id, cohort_id: cohortId },
  });
export const approveExport = (id: string, exportId: string): Promise<Export> =>
  api.post('/api/research/studies/{study_id}/exports/{export_id}/approve', {
    path: { study_id: id, export_id: exportId },
  });
export function exportFile(id: string, exportId: string, name: string): Promise<DownloadedFile> {
  const url = apiUrl('/api/research/studies/{study_id}/exports/{export_id}/files/{name}', {
    path: { study_id: id, export_id: exportId, name },
  });
  return download(url, name);
}

export const trials = (id: string): Promise<Trial[]> =>
  api.get('/api/research/studies/{study_id}/trials', { path: { study_id: id } });
export const createTrial = (id: string, body: TrialIn): Promise<Trial> =>
  api.post('/api/research/studies/{study_id}/trials', { path: { study_id: id }, body });
export const eligible = (id: string, trialId: string): Promise<string[]> =>
  api.get('/api/research/studies/{study_id}/trials/{trial_id}/eligible', {
    path: { study_id: id, trial_id: trialId },
  });
export const allocations = (id: string, trialId: string): Promise<Allocation[]> =>
  api.get('/api/research/studies/{study_id}/trials/{trial_id}/allocations', {
    path: { study_id: id, trial_id: trialId },
  });
export const enrol = (id: string, trialId: string, participant: string): Promise<Allocation> =>
  api.post('/api/research/studies/{study_id}/trials/{trial_id}/enrolments', {
    path: { study_id: id, trial_id: trialId },
    body: { participant },
  });
