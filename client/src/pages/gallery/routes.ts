/** The gallery's routes, spread into the router's table (router.ts is at its size limit). */
import { html } from 'lit';
import type { RouteEntry } from '../../router';

/** A community's slug, as the server makes them. */
const SLUG = /^[a-z0-9-]+$/;

export const GALLERY_ROUTES: RouteEntry[] = [
  {
    name: 'galleryMine',
    path: '/gallery/mine',
    audience: 'signedIn',
    title: 'gallery.mine.title',
    page: () => html`<cv-gallery-mine></cv-gallery-mine>`,
  },
  {
    name: 'galleryModeration',
    path: '/gallery/moderation',
    audience: 'signedIn',
    title: 'gallery.moderation.title',
    page: () => html`<cv-gallery-moderation></cv-gallery-moderation>`,
  },
  {
    name: 'galleryGroup',
    path: '/gallery/groups/:slug',
    params: { slug: SLUG },
    audience: 'signedIn',
    title: 'gallery.group.title',
    page: ({ params }) => html`<cv-gallery-group .slug=${params.slug}></cv-gallery-group>`,
  },
  {
    name: 'gallery',
    path: '/gallery/:slug',
    params: { slug: SLUG },
    audience: 'signedIn',
    title: 'gallery.pageTitle',
    page: ({ params }) => html`<cv-gallery .slug=${params.slug}></cv-gallery>`,
  },
  {
    name: 'gallerySubmit',
    path: '/gallery/:slug/submit',
    params: { slug: SLUG },
    audience: 'signedIn',
    title: 'gallery.submit.title',
    page: ({ params }) => html`<cv-gallery-submit .slug=${params.slug}></cv-gallery-submit>`,
  },
];
