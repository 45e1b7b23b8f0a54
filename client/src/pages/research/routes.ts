/** Research's routes, spread into the router's table (kept here: router.ts is at its size limit). */
import { html } from 'lit';
import { AREAS } from '../../roles';
import type { RouteEntry } from '../../router';
import './consent-page';
import './exports-page';
import './studies-page';
import './study-page';

const UUID_LIKE = /^[0-9a-fA-F-]{1,64}$/;

export const RESEARCH_ROUTES: RouteEntry[] = [
  {
    name: 'research-studies',
    path: '/cohorts',
    audience: 'signedIn',
    title: AREAS.cohorts.title,
    area: AREAS.cohorts,
    nav: { menu: 'main' },
    page: ({ account }) =>
      html`<cv-research-studies
        .heading=${AREAS.cohorts.title}
        .researcher=${account?.role === 'researcher'}
      ></cv-research-studies>`,
  },
  {
    name: 'research-approvals',
    path: '/research',
    audience: 'signedIn',
    title: AREAS.research.title,
    area: AREAS.research,
    nav: { menu: 'main' },
    page: () => html`<cv-research-studies .heading=${AREAS.research.title}></cv-research-studies>`,
  },
  {
    name: 'research-study',
    path: '/cohorts/studies/:id',
    params: { id: UUID_LIKE },
    audience: 'signedIn',
    title: 'research.studies.title',
    page: ({ params }) => html`<cv-research-study .studyId=${params.id}></cv-research-study>`,
  },
  {
    name: 'research-exports',
    path: '/exports',
    audience: 'signedIn',
    title: AREAS.exports.title,
    area: AREAS.exports,
    nav: { menu: 'main' },
    page: () => html`<cv-research-exports></cv-research-exports>`,
  },
  {
    name: 'research-consent',
    path: '/privacy/research',
    audience: 'signedIn',
    title: 'research.consent.title',
    area: AREAS.privacy, // the patient's: their privacy area's part
    page: () => html`<cv-research-consent></cv-research-consent>`,
  },
];
