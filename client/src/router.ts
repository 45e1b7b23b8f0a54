/**
 * The route table and History API routing. The server answers index.html for any non-API path
 * without a file extension, so every route here also works on reload and as a bookmark.
 *
 * ROUTES is the one list of the client's pages: each entry's path pattern, who may open it, its
 * title, the page element it shows and its place in the navigation. The shell (app-shell.ts)
 * guards, titles and renders from it, and builds the header's navigation from it; which areas a
 * role has, and in which order, comes from roles.ts. The page elements themselves are defined by
 * the page modules, which the shell imports.
 */
import { html, type TemplateResult } from 'lit';
import type { Account } from './api/auth';
import type { MessageKey } from './i18n';
import { AREAS, areaFor, roleHome, type Area } from './roles';
import { GROUP_ROUTES } from './pages/groups/routes';
import { TRAINING_ROUTES } from './pages/training/routes';
import { MENTORING_ROUTES } from './pages/mentoring/routes';
import { GALLERY_ROUTES } from './pages/gallery/routes';
import { RESEARCH_SIM_ROUTES } from './pages/research/sim-routes';
import { RESEARCH_ROUTES } from './pages/research/routes';
import { EVENT_ROUTES } from './pages/events/routes';

/**
 * Who may open a route:
 * - `public`: anyone (an account that must set up two-step sign-in is sent there first);
 * - `open`: anyone, in any state: a reset link must work whoever is signed in;
 * - `signedOut`: signing in or up; a signed-in visitor goes home instead;
 * - `signedIn`: an account; a visitor signs in first and comes back.
 */
export type Audience = 'public' | 'open' | 'signedOut' | 'signedIn';

/** What a page is rendered with. */
export interface PageContext {
  readonly account: Account | null;
  readonly params: Readonly<Record<string, string>>;
  /** The area of Careverse the route is, for area routes. */
  readonly area: Area | null;
}

/** A link to a route in the header: in the signed-in main menu, the account menu, or for visitors. */
export interface NavEntry {
  readonly menu: 'main' | 'account' | 'signedOut';
  /** The link's text; an area's link uses the area's title. */
  readonly label?: MessageKey;
  /** Shown inside the link (a live count, for instance). */
  readonly badge?: () => TemplateResult;
}

export interface RouteEntry {
  readonly name: string;
  /** `/signin`, `/spaces/:id`: each `:name` segment is a parameter. `*` matches any path. */
  readonly path: string;
  /** The form each parameter must have, else the route does not match. */
  readonly params?: Readonly<Record<string, RegExp>>;
  readonly audience: Audience;
  /** The document title's page part (an area route uses the area's title). */
  readonly title: MessageKey;
  readonly page: (context: PageContext) => TemplateResult;
  /**
   * An area of a role's home: only roles whose home lists it (roles.ts) may open it; others get
   * the not-found page. `fromSlug` resolves the area from the `slug` parameter.
   */
  readonly area?: Area | 'fromSlug';
  readonly nav?: NavEntry;
  /** The navigation link marked current while this route is shown, if not its own path. */
  readonly section?: string;
  /** Where to send the visitor instead, given the account (after the audience's own rules). */
  readonly redirect?: (account: Account | null) => string | null;
  /** The page an account that must set up two-step sign-in is kept on. */
  readonly enrolment?: boolean;
  /** Never a place to return to after signing in. */
  readonly noReturn?: boolean;
}

const UUID_LIKE = /^[0-9a-fA-F-]{1,64}$/;
const SLUG = /^[a-z0-9-]+$/;

/** An area with a page of its own. */
function areaRoute(area: Area, page: RouteEntry['page'], extra: Partial<RouteEntry> = {}): RouteEntry {
  return {
    name: `area:${area.slug}`,
    path: `/${area.slug}`,
    audience: 'signedIn',
    title: area.title,
    page,
    area,
    nav: { menu: 'main' },
    ...extra,
  };
}

/** What any path no other route matches shows; also an area the role does not have. */
export const NOT_FOUND: RouteEntry = {
  name: 'notFound',
  path: '*',
  audience: 'public',
  title: 'notFound.title',
  page: () => html`<cv-not-found></cv-not-found>`,
  noReturn: true,
};

/** Every page of the client, matched in this order (the last matches any path). */
export const ROUTES: readonly RouteEntry[] = [
  {
    name: 'root',
    path: '/',
    audience: 'public',
    title: 'app.loading',
    page: () => html``,
    redirect: (account) => pathOf(account ? 'home' : 'signIn'),
  },
  {
    name: 'signIn',
    path: '/signin',
    audience: 'signedOut',
    title: 'signIn.title',
    page: () => html`<cv-sign-in></cv-sign-in>`,
    nav: { menu: 'signedOut', label: 'nav.signIn' },
    noReturn: true,
  },
  {
    name: 'signUp',
    path: '/signup',
    audience: 'signedOut',
    title: 'signUp.title',
    page: () => html`<cv-sign-up></cv-sign-up>`,
    nav: { menu: 'signedOut', label: 'nav.signUp' },
    noReturn: true,
  },
  {
    name: 'forgotPassword',
    path: '/forgot-password',
    audience: 'open',
    title: 'forgot.title',
    page: () => html`<cv-forgot-password></cv-forgot-password>`,
    noReturn: true,
  },
  {
    name: 'resetPassword',
    path: '/reset-password',
    audience: 'open',
    title: 'reset.title',
    page: () => html`<cv-reset-password></cv-reset-password>`,
    // Its token is spent by the time sign-in would return here.
    noReturn: true,
  },
  {
    name: 'home',
    path: '/home',
    audience: 'signedIn',
    title: 'nav.home',
    page: ({ account }) => html`<cv-home .account=${account}></cv-home>`,
    nav: { menu: 'main', label: 'nav.home' },
  },
  {
    name: 'security',
    path: '/settings/security',
    audience: 'signedIn',
    title: 'security.title',
    page: ({ account }) => html`<cv-security .account=${account}></cv-security>`,
    nav: { menu: 'account', label: 'nav.security' },
  },
  {
    name: 'mfaSetup',
    path: '/setup-two-step',
    audience: 'signedIn',
    title: 'mfaSetup.title',
    page: () => html`<cv-mfa-setup></cv-mfa-setup>`,
    enrolment: true,
    redirect: (account) =>
      account && !account.mfa_enrolment_required ? pathOf('security') : null,
  },
  {
    name: 'space',
    path: '/spaces/:id',
    params: { id: UUID_LIKE },
    audience: 'signedIn',
    title: 'world.space.title',
    page: ({ account, params }) => html`<cv-space .spaceId=${params.id} .account=${account}></cv-space>`,
    section: `/${AREAS.spaces.slug}`,
  },
  areaRoute(AREAS.privacy, () => html`<cv-privacy></cv-privacy>`),
  areaRoute(AREAS.spaces, ({ account }) => html`<cv-spaces .account=${account}></cv-spaces>`),
  areaRoute(AREAS.monitoring, () => html`<cv-monitoring></cv-monitoring>`, {
    nav: { menu: 'main', badge: () => html`<cv-alert-badge></cv-alert-badge>` },
  }),
  areaRoute(AREAS.alerts, () => html`<cv-alerts-page></cv-alerts-page>`),
  areaRoute(AREAS.wellbeing, () => html`<cv-wellbeing-page></cv-wellbeing-page>`),
  {
    // Exposure therapy: the patient's steps and sessions (docs/wellbeing.md).
    name: 'exposure',
    path: '/wellbeing/exposure',
    audience: 'signedIn',
    title: 'exposure.title',
    page: ({ account }) => html`<cv-exposure-page .account=${account}></cv-exposure-page>`,
    area: AREAS.wellbeing,
    section: `/${AREAS.wellbeing.slug}`,
  },
  {
    // The therapist's side: the fear hierarchy builder and the live session.
    name: 'patientExposure',
    path: '/patients/:id/exposure',
    params: { id: UUID_LIKE },
    audience: 'signedIn',
    title: 'exposure.title',
    page: ({ params }) => html`<cv-exposure-therapist patient-id=${params.id}></cv-exposure-therapist>`,
    area: AREAS.patients,
    section: `/${AREAS.patients.slug}`,
  },
  {
    name: 'breathe',
    path: '/wellbeing/breathe',
    audience: 'signedIn',
    title: 'breathing.title',
    page: () => html`<cv-breathing-page></cv-breathing-page>`,
    area: AREAS.wellbeing,
    section: `/${AREAS.wellbeing.slug}`,
  },
  {
    // Self-help: psychoeducation guides, thought records, the activity planner.
    name: 'selfHelp',
    path: '/wellbeing/self-help',
    audience: 'signedIn',
    title: 'selfhelp.title',
    page: () => html`<cv-selfhelp-page></cv-selfhelp-page>`,
    area: AREAS.wellbeing,
    section: `/${AREAS.wellbeing.slug}`,
  },
  {
    name: 'thoughtRecords',
    path: '/wellbeing/self-help/thoughts',
    audience: 'signedIn',
    title: 'selfhelp.thoughts.title',
    page: () => html`<cv-thought-records-page></cv-thought-records-page>`,
    area: AREAS.wellbeing,
    section: `/${AREAS.wellbeing.slug}`,
  },
  {
    name: 'activityPlanner',
    path: '/wellbeing/self-help/activities',
    audience: 'signedIn',
    title: 'selfhelp.activities.title',
    page: () => html`<cv-activity-planner-page></cv-activity-planner-page>`,
    area: AREAS.wellbeing,
    section: `/${AREAS.wellbeing.slug}`,
  },
  areaRoute(AREAS.vitals, ({ account }) => html`<cv-vitals-page .account=${account}></cv-vitals-page>`),
  areaRoute(AREAS.health, ({ account }) => html`<cv-health-page .account=${account}></cv-health-page>`),
  areaRoute(
    AREAS.appointments,
    ({ account }) => html`<cv-care-appointments .account=${account}></cv-care-appointments>`,
  ),
  areaRoute(AREAS.consultations, () => html`<cv-care-schedule></cv-care-schedule>`),
  areaRoute(AREAS.schedule, () => html`<cv-care-schedule></cv-care-schedule>`),
  areaRoute(AREAS.patients, () => html`<cv-patients-page></cv-patients-page>`),
  areaRoute(AREAS.programmes, () => html`<cv-programmes-page></cv-programmes-page>`),
  {
    name: 'patientRecord',
    path: '/patients/:id',
    params: { id: UUID_LIKE },
    audience: 'signedIn',
    title: AREAS.patients.title,
    page: ({ params }) => html`<cv-patient-record patient-id=${params.id}></cv-patient-record>`,
    area: AREAS.patients,
    section: `/${AREAS.patients.slug}`,
  },
  areaRoute(AREAS.people, () => html`<cv-people-page></cv-people-page>`),
  {
    // A caregiver reads the health record of someone whose delegation grants record:read.
    name: 'personHealth',
    path: '/people/:id/health',
    params: { id: UUID_LIKE },
    audience: 'signedIn',
    title: AREAS.people.title,
    page: ({ account, params }) =>
      html`<cv-health-page .account=${account} patient-id=${params.id}></cv-health-page>`,
    area: AREAS.people,
    section: `/${AREAS.people.slug}`,
  },
  areaRoute(AREAS.accounts, () => html`<cv-admin-accounts></cv-admin-accounts>`),
  areaRoute(AREAS.audit, () => html`<cv-admin-audit></cv-admin-audit>`),
  areaRoute(AREAS.system, () => html`<cv-admin-system></cv-admin-system>`),
  areaRoute(AREAS.apps, () => html`<cv-admin-apps></cv-admin-apps>`),
  {
    // SMART App Launch: /oauth/authorize sends the browser here with the app's request.
    name: 'smartConsent',
    path: '/oauth/consent',
    audience: 'signedIn',
    title: 'smart.consent.pageTitle',
    page: () => html`<cv-smart-consent></cv-smart-consent>`,
  },
  areaRoute(AREAS.messages, ({ account }) => html`<cv-messages-page .account=${account}></cv-messages-page>`),
  areaRoute(AREAS.inbox, ({ account }) => html`<cv-inbox-page .account=${account}></cv-inbox-page>`),
  {
    name: 'notifications',
    path: '/notifications',
    audience: 'signedIn',
    title: 'notifications.title',
    page: () => html`<cv-notifications-page></cv-notifications-page>`,
  },
  {
    // Appointment notices link here (and their e-mails): the appointments page shows them all.
    name: 'appointmentLink',
    path: '/care/appointments/:id',
    params: { id: UUID_LIKE },
    audience: 'signedIn',
    title: 'area.appointments.title',
    page: () => html``,
    redirect: () => `/${AREAS.appointments.slug}`,
    noReturn: true,
  },
  areaRoute(AREAS.moderation, () => html`<cv-moderation-queue></cv-moderation-queue>`),
  areaRoute(
    AREAS.supportGroups,
    () => html`<cv-community-list .kinds=${['condition', 'mental_health']}
      .heading=${AREAS.supportGroups.title}></cv-community-list>`,
  ),
  areaRoute(
    AREAS.caregiverGroups,
    () => html`<cv-community-list .kinds=${['caregiver']}
      .heading=${AREAS.caregiverGroups.title}></cv-community-list>`,
  ),
  areaRoute(AREAS.communities, () => html`<cv-community-list></cv-community-list>`),
  {
    name: 'communityThread',
    path: '/community/threads/:id',
    params: { id: UUID_LIKE },
    audience: 'signedIn',
    title: 'community.threadTitle',
    page: ({ params }) => html`<cv-community-thread .threadId=${params.id}></cv-community-thread>`,
  },
  {
    name: 'libraryItem',
    path: '/community/library/:id',
    params: { id: UUID_LIKE },
    audience: 'signedIn',
    title: 'library.pageTitle',
    page: ({ params }) => html`<cv-library-item .itemId=${params.id}></cv-library-item>`,
  },
  {
    name: 'libraryEdit',
    path: '/community/library/:id/edit',
    params: { id: UUID_LIKE },
    audience: 'signedIn',
    title: 'library.editorTitle',
    page: ({ params }) => html`<cv-library-editor .itemId=${params.id}></cv-library-editor>`,
  },
  {
    name: 'libraryNew',
    path: '/community/:slug/library/new',
    params: { slug: SLUG },
    audience: 'signedIn',
    title: 'library.editorTitle',
    page: ({ params }) => html`<cv-library-editor .slug=${params.slug}></cv-library-editor>`,
  },
  {
    // The community digest e-mail links here (no community in the link): each role's own list.
    name: 'communityHome',
    path: '/community',
    audience: 'signedIn',
    title: 'community.pageTitle',
    page: () => html``,
    redirect: (account) => {
      const byRole: Record<string, string> = {
        patient: `/${AREAS.supportGroups.slug}`,
        caregiver: `/${AREAS.caregiverGroups.slug}`,
        moderator: `/${AREAS.communities.slug}`,
        admin: `/${AREAS.moderation.slug}`,
      };
      return (account && byRole[account.role]) || '/home';
    },
  },
  {
    // Crisis notices link here (community staff and the on-call clinician, whatever their role):
    // the server decides what the queue shows them.
    name: 'communityModeration',
    path: '/community/moderation',
    audience: 'signedIn',
    title: AREAS.moderation.title,
    page: () => html`<cv-community-moderation></cv-community-moderation>`,
  },
  {
    name: 'community',
    path: '/community/:slug',
    params: { slug: SLUG },
    audience: 'signedIn',
    title: 'community.pageTitle',
    page: ({ params }) => html`<cv-community .slug=${params.slug}></cv-community>`,
  },
  ...GROUP_ROUTES,
  ...TRAINING_ROUTES,
  ...MENTORING_ROUTES,
  ...GALLERY_ROUTES,
  ...RESEARCH_SIM_ROUTES,
  ...RESEARCH_ROUTES,
  ...EVENT_ROUTES,
  {
    // Every other area: its placeholder until it has a page.
    name: 'area',
    path: '/:slug',
    params: { slug: SLUG },
    audience: 'signedIn',
    title: 'notFound.title',
    page: ({ area }) => html`<cv-area .area=${area}></cv-area>`,
    area: 'fromSlug',
    nav: { menu: 'main' },
  },
  NOT_FOUND,
];

/** A path matched against the table. */
export interface Route {
  /** The entry's name: `signIn`, `space`, `area:privacy`, `area`, `notFound`, … */
  readonly name: string;
  readonly entry: RouteEntry;
  readonly params: Readonly<Record<string, string>>;
  /** The path without trailing slashes. */
  readonly path: string;
}

/** The path of a route without parameters, by name: `pathOf('home')` is `/home`. */
export function pathOf(name: string): string {
  const entry = ROUTES.find((candidate) => candidate.name === name);
  if (!entry || entry.path.includes(':') || entry.path === '*') {
    throw new Error(`no plain path for route ${name}`);
  }
  return entry.path;
}

/** Paths owned by the server; links to them are real page loads, never client routes. */
const SERVER_PREFIXES = ['/api/', '/fhir/', '/ws', '/healthz', '/assets/'];

function matchEntry(entry: RouteEntry, path: string): Record<string, string> | null {
  if (entry.path === '*') return {};
  const want = entry.path.split('/');
  const have = path.split('/');
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (const [index, part] of want.entries()) {
    const value = have[index] ?? '';
    if (part.startsWith(':')) {
      const name = part.slice(1);
      if (!value || !(entry.params?.[name] ?? /^[^/]+$/).test(value)) return null;
      params[name] = value;
    } else if (part !== value) {
      return null;
    }
  }
  return params;
}

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  for (const entry of ROUTES) {
    const params = matchEntry(entry, path);
    if (params) return { name: entry.name, entry, params, path };
  }
  // The table ends with a catch-all; this is never reached.
  throw new Error('no route matched');
}

/** The area a route is, whoever asks (null for routes that are no area, or an unknown slug). */
function routeArea(route: Route): Area | null {
  const { area } = route.entry;
  if (area === 'fromSlug') {
    return Object.values(AREAS).find((candidate) => candidate.slug === route.params.slug) ?? null;
  }
  return area ?? null;
}

/**
 * The area a route shows to `account`: null when the route is no area, and also when the
 * account's role has no such area (the shell then shows the not-found page).
 */
export function areaForRoute(route: Route, account: Account | null): Area | null {
  const area = routeArea(route);
  return area && account ? areaFor(account.role, area.slug) : null;
}

/** False when `account` may not see the route's page (an area its role does not have). */
export function mayShow(route: Route, account: Account | null): boolean {
  return !route.entry.area || areaForRoute(route, account) !== null;
}

/** The title of what `account` sees at `route`. */
export function titleOf(route: Route, account: Account | null): MessageKey {
  if (!route.entry.area) return route.entry.title;
  return areaForRoute(route, account)?.title ?? 'notFound.title';
}

/** Whether the navigation link to `href` is the current page (or the section it is part of). */
export function isCurrent(route: Route, href: string): boolean {
  return route.path === href || route.entry.section === href;
}

/** A link of the header's navigation. */
export interface NavLink {
  readonly href: string;
  readonly label: MessageKey;
  readonly badge?: () => TemplateResult;
}

/**
 * The links of one menu, from the table: its entries with a label, in table order, then (in the
 * main menu) each area of the account's role home, in the role's order, that a route serves.
 */
export function navLinks(menu: NavEntry['menu'], account: Account | null): NavLink[] {
  const links: NavLink[] = [];
  for (const { nav, path } of ROUTES) {
    if (nav?.menu === menu && nav.label) links.push({ href: path, label: nav.label, badge: nav.badge });
  }
  if (menu === 'main' && account) {
    for (const area of roleHome(account.role)?.areas ?? []) {
      const href = `/${area.slug}`;
      const { nav } = matchRoute(href).entry;
      if (nav?.menu === 'main') links.push({ href, label: area.title, badge: nav.badge });
    }
  }
  return links;
}

type Listener = (route: Route) => void;
const listeners = new Set<Listener>();

export function currentRoute(): Route {
  return matchRoute(location.pathname);
}

export function onRouteChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The path and query last shown: a change of the fragment alone is not a new page. */
let shownLocation = location.pathname + location.search;

function emit(): void {
  shownLocation = location.pathname + location.search;
  const route = currentRoute();
  for (const listener of listeners) listener(route);
}

/** Go to a same-origin path (with optional query), adding a history entry unless `replace`. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const target = new URL(path, location.origin);
  if (target.origin !== location.origin) return;
  const url = target.pathname + target.search + target.hash;
  if (url === location.pathname + location.search + location.hash && !options.replace) {
    emit();
    return;
  }
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  emit();
}

/** A safe place to return to after signing in: a same-origin client path, never another site. */
export function safeNextPath(value: string | null): string | null {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) {
    return null;
  }
  const route = matchRoute(new URL(value, location.origin).pathname);
  // Never back to pages about signing in, nor to a reset link.
  if (route.entry.noReturn) return null;
  return value;
}

function isClientLink(anchor: HTMLAnchorElement, event: MouseEvent): boolean {
  if (event.defaultPrevented || event.button !== 0) return false;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return false;
  if (anchor.target && anchor.target !== '_self') return false;
  if (anchor.hasAttribute('download') || anchor.getAttribute('rel')?.includes('external')) {
    return false;
  }
  const href = anchor.getAttribute('href');
  if (!href || href.startsWith('#')) return false;
  const url = new URL(anchor.href, location.origin);
  if (url.origin !== location.origin) return false;
  return !SERVER_PREFIXES.some((prefix) => url.pathname.startsWith(prefix));
}

/** Listen for back/forward and turn same-origin link clicks into client navigations. */
export function startRouter(): void {
  window.addEventListener('popstate', () => {
    // Following an in-page link (`#section`) also fires popstate; the page stays as it is.
    if (location.pathname + location.search === shownLocation) return;
    emit();
  });
  document.addEventListener('click', (event) => {
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || !isClientLink(anchor, event)) return;
    event.preventDefault();
    const url = new URL(anchor.href);
    navigate(url.pathname + url.search + url.hash);
  });
}
