/**
 * SUDS charts of exposure therapy, as small inline SVG (no chart library for ten points): within
 * a session (each rating by minute since the start) and between sessions (each session's peak and
 * the rating after it). Each chart is an image named in words; the tables beside them carry the
 * numbers for screen readers.
 */
import { html, nothing, svg } from 'lit';
import type { ExposureSession } from '../../api/exposure';
import { t } from '../../i18n';

const W = 320;
const H = 120;
const PAD = 16;

function path(points: readonly (readonly [number, number])[], xMax: number): string {
  const sx = (x: number) => PAD + (xMax > 0 ? x / xMax : 0) * (W - 2 * PAD);
  const sy = (y: number) => H - PAD - (y / 100) * (H - 2 * PAD);
  return points.map(([x, y], i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
}

function frame(label: string, body: unknown) {
  return html`<svg class="exposure-chart" viewBox="0 0 ${W} ${H}" role="img" aria-label=${label}>
    ${svg`<line x1=${PAD} y1=${H - PAD} x2=${W - PAD} y2=${H - PAD} stroke="currentColor" stroke-opacity="0.4" />
      <line x1=${PAD} y1=${PAD} x2=${PAD} y2=${H - PAD} stroke="currentColor" stroke-opacity="0.4" />
      <text x="2" y=${PAD + 4} font-size="9" fill="currentColor">100</text>
      <text x="6" y=${H - PAD + 3} font-size="9" fill="currentColor">0</text>`}
    ${body}
  </svg>`;
}

/** The ratings of one session against minutes since it started. */
export function withinSessionChart(session: ExposureSession) {
  const start = Date.parse(session.started_at);
  const points = session.suds.map((s) => [(Date.parse(s.at) - start) / 60_000, s.value] as const);
  if (points.length === 0) return nothing;
  const xMax = Math.max(1, ...points.map(([x]) => x));
  return frame(
    t('exposure.chart.within'),
    svg`<path d=${path(points, xMax)} fill="none" stroke="currentColor" stroke-width="2" />`,
  );
}

export function peakOf(session: ExposureSession): number | null {
  return session.peak_suds ?? null;
}

export function afterOf(session: ExposureSession): number | null {
  return session.suds.find((s) => s.phase === 'after')?.value ?? null;
}

export function beforeOf(session: ExposureSession): number | null {
  return session.suds.find((s) => s.phase === 'before')?.value ?? null;
}

/** Each session's peak (solid) and after (dashed), in session order. */
export function betweenSessionsChart(sessions: readonly ExposureSession[]) {
  const peaks = sessions.flatMap((s, i) => (peakOf(s) === null ? [] : [[i, peakOf(s) ?? 0] as const]));
  const afters = sessions.flatMap((s, i) => (afterOf(s) === null ? [] : [[i, afterOf(s) ?? 0] as const]));
  if (peaks.length < 2) return nothing;
  const xMax = Math.max(1, sessions.length - 1);
  return frame(
    t('exposure.chart.between'),
    svg`<path d=${path(peaks, xMax)} fill="none" stroke="currentColor" stroke-width="2" />
      ${afters.length > 1 ? svg`<path d=${path(afters, xMax)} fill="none" stroke="currentColor" stroke-width="2" stroke-dasharray="4 3" />` : nothing}`,
  );
}

/** The sessions as a table: when, step, SUDS before / peak / after, SSQ total; and adherence. */
export function sessionsTable(sessions: readonly ExposureSession[]) {
  if (sessions.length === 0) return html`<p>${t('exposure.history.none')}</p>`;
  const week = Date.now() - 7 * 24 * 3600 * 1000;
  const recent = sessions.filter((s) => Date.parse(s.started_at) >= week).length;
  const cell = (value: number | null | undefined) => (value === null || value === undefined ? '–' : String(value));
  return html`
    <p>${t('exposure.history.adherence', { count: recent, total: sessions.length })}</p>
    <div class="table-scroll">
      <table class="table exposure-sessions">
        <thead>
          <tr>
            <th scope="col">${t('exposure.history.when')}</th>
            <th scope="col">${t('exposure.history.step')}</th>
            <th scope="col">${t('exposure.history.before')}</th>
            <th scope="col">${t('exposure.history.peak')}</th>
            <th scope="col">${t('exposure.history.after')}</th>
            <th scope="col">${t('exposure.history.ssq')}</th>
          </tr>
        </thead>
        <tbody>
          ${[...sessions].reverse().map(
            (s) => html`<tr data-session=${s.id}>
              <td>${new Date(s.started_at).toLocaleString()}</td>
              <td>${s.step + 1}. ${s.description}</td>
              <td>${cell(beforeOf(s))}</td>
              <td>${cell(peakOf(s))}</td>
              <td>${cell(afterOf(s))}</td>
              <td>${cell(s.ssq?.total)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
  `;
}

/** The scene in words (the 2D / low-motion view, and the therapist's view of it). */
export function describeScene(scene: ExposureSession['scene']): string {
  const n = (v: number | null | undefined) => String(Math.round((v ?? 0) * 10) / 10);
  switch (scene.scene) {
    case 'heights':
      return t('exposure.scene.describe.heights', { height: n(scene.height_m) });
    case 'crowd':
      return t('exposure.scene.describe.crowd', { density: n(scene.crowd_density), proximity: n(scene.proximity_m) });
    case 'speaking':
      return t('exposure.scene.describe.speaking', { proximity: n(scene.proximity_m) });
    default:
      return t('exposure.scene.describe.spider', { proximity: n(scene.proximity_m) });
  }
}
