/** In-silico trials, the fairness audit and the transparency data (docs/research.md). */
import { api, type Schema, type Sent } from '../../api/typed';

export type SimExamples = Sent<Schema<'SimExamplesOut'>>;
export type SimRun = Sent<Schema<'SimRunOut'>>;
export type SimResult = Sent<Schema<'SimResultOut'>>;
export type SimOutcome = Sent<Schema<'SimOutcomeOut'>>;
export type FairnessAudit = Sent<Schema<'FairnessAuditOut'>>;
export type FairnessDimension = Sent<Schema<'FairnessDimensionOut'>>;
export type Transparency = Sent<Schema<'TransparencyOut'>>;

export function simExamples(): Promise<SimExamples> {
  return api.get('/api/research/sim/examples');
}

export function startSim(body: Schema<'SimRunIn'>): Promise<SimRun> {
  return api.post('/api/research/sim/runs', { body });
}

export function simRun(id: string): Promise<SimRun> {
  return api.get('/api/research/sim/runs/{run_id}', { path: { run_id: id } });
}

export function fairnessAudit(days: number): Promise<FairnessAudit> {
  return api.get('/api/research/fairness', { query: { days } });
}

export function transparency(): Promise<Transparency> {
  return api.get('/api/transparency');
}
