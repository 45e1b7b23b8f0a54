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
  {
    name: 'mentoring-organise',
    path: '/mentoring/organise',
    audience: 'signedIn',
    title: 'mentoring.organise.title',
    page: () => html`<cv-mentoring-organise></cv-mentoring-organise>`,
  },
  // Volunteering (docs/mentoring.md): the plain paths before the opportunity's.
  {
    name: 'volunteering',
    path: '/volunteering',
    audience: 'signedIn',
    title: 'volunteering.title',
    page: () => html`<cv-volunteering></cv-volunteering>`,
  },
  {
    name: 'volunteering-new',
    path: '/volunteering/new',
    audience: 'signedIn',
    title: 'volunteering.new.title',
    page: () => html`<cv-volunteering-new></cv-volunteering-new>`,
  },
  {
    name: 'volunteering-me',
    path: '/volunteering/me',
    audience: 'signedIn',
    title: 'volunteering.me.title',
    page: () => html`<cv-volunteering-me></cv-volunteering-me>`,
  },
  {
    name: 'volunteering-opportunity',
    path: '/volunteering/:id',
    params: { id: UUID_LIKE },
    audience: 'signedIn',
    title: 'volunteering.opportunity',
    page: ({ params }) =>
      html`<cv-volunteering-opportunity .oppId=${params.id}></cv-volunteering-opportunity>`,
  },
];
