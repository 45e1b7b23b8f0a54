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
