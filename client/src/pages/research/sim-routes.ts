/** The in-silico trial, fairness audit and transparency pages' routes (spread into router.ts). */
import { html } from 'lit';
import type { Account } from '../../api/auth';
import type { RouteEntry } from '../../router';
import './fairness-page';
import './sim-page';
import './transparency-page';

function onlyFor(...roles: string[]): (account: Account | null) => string | null {
  return (account) => (account && roles.includes(account.role) ? null : '/');
}

export const RESEARCH_SIM_ROUTES: readonly RouteEntry[] = [
  {
    name: 'research-simulation',
    path: '/research/simulation',
    audience: 'signedIn',
    title: 'sim.title',
    page: () => html`<cv-sim-page></cv-sim-page>`,
    redirect: onlyFor('clinician', 'researcher', 'admin'),
  },
  {
    name: 'research-fairness',
    path: '/research/fairness',
    audience: 'signedIn',
    title: 'fairness.title',
    page: () => html`<cv-fairness-page></cv-fairness-page>`,
    redirect: onlyFor('researcher', 'admin'),
  },
  {
    name: 'transparency',
    path: '/transparency',
    audience: 'public',
    title: 'transparency.title',
    page: () => html`<cv-transparency-page></cv-transparency-page>`,
  },
];
