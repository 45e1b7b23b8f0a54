/** Medical training (`/api/training/...`, docs/training.md): scenarios, lab runs, debrief notes. */
import { download, type DownloadedFile } from './http';
import { api, apiUrl, type Schema, type Sent } from './typed';

export type Catalogue = Sent<Schema<'TrainingCatalogueOut'>>;
export type Intervention = Sent<Schema<'InterventionOut'>>;
export type RunBrief = Sent<Schema<'RunBriefOut'>>;
export type Run = Sent<Schema<'RunOut'>>;
export type PearlsNotes = Schema<'NotesIn'>;

export function catalogue(): Promise<Catalogue> {
  return api.get('/api/training/catalogue');
}

export async function runs(): Promise<RunBrief[]> {
  return (await api.get('/api/training/runs')).runs;
}

export function run(id: string): Promise<Run> {
  return api.get('/api/training/runs/{run_id}', { path: { run_id: id } });
}

export function saveNotes(id: string, notes: PearlsNotes): Promise<Run> {
  return api.put('/api/training/runs/{run_id}/notes', { path: { run_id: id }, body: notes });
}

/** The run's debrief as a PDF for the trainee's portfolio. */
export function debriefPdf(id: string): Promise<DownloadedFile> {
  return download(
    apiUrl('/api/training/runs/{run_id}/debrief.pdf', { path: { run_id: id } }),
    'debrief.pdf',
  );
}

export type DraftBrief = Sent<Schema<'ScenarioDraftBriefOut'>>;
export type Draft = Sent<Schema<'ScenarioDraftOut'>>;
export type Preview = Sent<Schema<'ScenarioPreviewOut'>>;
export type PreviewRun = Sent<Schema<'ScenarioPreviewRunOut'>>;
/** A scenario as the author edits it (the server's schema validates it). */
export type ScenarioBody = Record<string, unknown>;
export type AnswerBody = Record<string, unknown>[];

export async function drafts(): Promise<DraftBrief[]> {
  return (await api.get('/api/training/drafts')).drafts;
}

export function draft(id: string): Promise<Draft> {
  return api.get('/api/training/drafts/{draft_id}', { path: { draft_id: id } });
}

/** A shipped scenario and its model answer, to start a draft from. */
export function scenarioSource(id: string): Promise<Draft> {
  return api.get('/api/training/scenarios/{scenario_id}/source', { path: { scenario_id: id } });
}

export function saveDraft(id: string | null, scenario: ScenarioBody, actions: AnswerBody): Promise<Draft> {
  // The body is checked by the server's scenario schema (422 with each field's path).
  const body = { scenario, actions } as unknown as Schema<'ScenarioDraftIn'>;
  if (id) return api.put('/api/training/drafts/{draft_id}', { path: { draft_id: id }, body });
  return api.post('/api/training/drafts', { body });
}

export function deleteDraft(id: string): Promise<unknown> {
  return api.delete('/api/training/drafts/{draft_id}', { path: { draft_id: id } });
}

export function preview(scenario: ScenarioBody, actions: AnswerBody): Promise<Preview> {
  const body = { scenario, actions, seed: 0 } as unknown as Schema<'ScenarioPreviewIn'>;
  return api.post('/api/training/scenarios/preview', { body });
}
