/** Events and campaigns' routes, spread into the router's table (router.ts is at its size limit). */
import { html } from 'lit';
import type { RouteEntry } from '../../router';

/** An event's slug, as the server takes them. */
const SLUG = /^[a-z0-9-]+$/;

export const EVENT_ROUTES: RouteEntry[] = [
  {
    name: 'events',
    path: '/events',
    audience: 'signedIn',
    title: 'events.title',
    page: () => html`<cv-events-list></cv-events-list>`,
  },
  {
    name: 'eventCreate',
    path: '/events/new',
    audience: 'signedIn',
    title: 'events.createTitle',
    section: '/events',
    page: () => html`<cv-event-create></cv-event-create>`,
  },
  {
    name: 'event',
    path: '/events/:slug',
    params: { slug: SLUG },
    audience: 'signedIn',
    title: 'events.pageTitle',
    section: '/events',
    page: ({ params }) => html`<cv-event-page .slug=${params.slug}></cv-event-page>`,
  },
];
