/** Mentoring's routes, spread into the router's table (kept here: router.ts is at its size limit). */
import { html } from 'lit';
import type { RouteEntry } from '../../router';

const UUID_LIKE = /^[0-9a-fA-F-]{1,64}$/;

export const MENTORING_ROUTES: RouteEntry[] = [
  {
    name: 'mentoring',
    path: '/mentoring',
    audience: 'signedIn',
    title: 'mentoring.title',
    page: () => html`<cv-mentoring></cv-mentoring>`,
  },
  {
    name: 'mentoring-apply',
    path: '/mentoring/apply',
    audience: 'signedIn',
    title: 'mentoring.apply.title',
    page: () => html`<cv-mentoring-apply></cv-mentoring-apply>`,
  },
  {
    name: 'mentoring-relationship',
    path: '/mentoring/relationships/:id',
    params: { id: UUID_LIKE },
    audience: 'signedIn',
    title: 'mentoring.rel.title',
    page: ({ params }) =>
      html`<cv-mentoring-relationship .relId=${params.id}></cv-mentoring-relationship>`,
  },
];
