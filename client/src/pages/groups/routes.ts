/** Live support groups' routes, spread into the router's table (router.ts is at its size limit). */
import { html } from 'lit';
import type { RouteEntry } from '../../router';

/** A group's slug, as the server makes them. */
const SLUG = /^[a-z0-9-]+$/;

export const GROUP_ROUTES: RouteEntry[] = [
  {
    name: 'groups',
    path: '/groups',
    audience: 'signedIn',
    title: 'groups.title',
    page: () => html`<cv-groups-list></cv-groups-list>`,
  },
  {
    name: 'group',
    path: '/groups/:slug',
    params: { slug: SLUG },
    audience: 'signedIn',
    title: 'groups.pageTitle',
    page: ({ params }) => html`<cv-group-page .slug=${params.slug}></cv-group-page>`,
  },
];
