/**
 * The page modules loaded on demand (issue 16, item 6: the light path). The first load holds the
 * shell, the router, the sign-in, home and not-found pages; every other page's module is a chunk
 * of its own, fetched the first time a route renders its element. The shell (app-shell.ts) asks
 * `pagesToLoad` which elements of a route's template are still undefined and shows a loading
 * state until `loadPages` has defined them, so a page never flashes "not found".
 */
import type { TemplateResult } from 'lit';

type Loader = () => Promise<unknown>;

/** A route's page element (its tag) and the module that defines it. */
const LOADERS: Readonly<Record<string, Loader>> = {
  'cv-activity-planner-page': () => import('./pages/wellbeing/activity-planner-page'),
  'cv-admin-accounts': () => import('./pages/admin/accounts-page'),
  'cv-admin-apps': () => import('./pages/admin/apps-page'),
  'cv-admin-audit': () => import('./pages/admin/audit-page'),
  'cv-admin-system': () => import('./pages/admin/system-page'),
  'cv-alerts-page': () => import('./pages/monitoring/alerts-page'),
  'cv-area': () => import('./pages/area-page'),
  'cv-breathing-page': () => import('./pages/wellbeing/breathing-page'),
  'cv-care-appointments': () => import('./pages/care/appointments-page'),
  'cv-care-schedule': () => import('./pages/care/schedule-page'),
  'cv-community': () => import('./pages/community/community-page'),
  'cv-community-list': () => import('./pages/community/community-list'),
  'cv-community-moderation': () => import('./pages/community/community-moderation'),
  'cv-community-thread': () => import('./pages/community/thread-page'),
  'cv-debrief-page': () => import('./pages/training/debrief-page'),
  'cv-event-create': () => import('./pages/events/event-create'),
  'cv-event-page': () => import('./pages/events/event-page'),
  'cv-events-list': () => import('./pages/events/events-list'),
  'cv-exposure-page': () => import('./pages/wellbeing/exposure-page'),
  'cv-exposure-therapist': () => import('./pages/wellbeing/exposure-therapist'),
  'cv-fairness-page': () => import('./pages/research/fairness-page'),
  'cv-forgot-password': () => import('./pages/forgot-password-page'),
  'cv-gallery': () => import('./pages/gallery/gallery-page'),
  'cv-gallery-group': () => import('./pages/gallery/group-works'),
  'cv-gallery-mine': () => import('./pages/gallery/my-works'),
  'cv-gallery-moderation': () => import('./pages/gallery/gallery-moderation'),
  'cv-gallery-submit': () => import('./pages/gallery/submit-work'),
  'cv-group-page': () => import('./pages/groups/group-page'),
  'cv-groups-list': () => import('./pages/groups/groups-list'),
  'cv-health-page': () => import('./pages/health/health-page'),
  'cv-inbox-page': () => import('./pages/messaging/inbox-page'),
  'cv-lab-page': () => import('./pages/training/lab-page'),
  'cv-lessons-page': () => import('./pages/training/lessons-page'),
  'cv-library-editor': () => import('./pages/community/library-editor'),
  'cv-library-item': () => import('./pages/community/library-item'),
  'cv-mentoring': () => import('./pages/mentoring/mentoring-page'),
  'cv-mentoring-apply': () => import('./pages/mentoring/apply-page'),
  'cv-mentoring-organise': () => import('./pages/mentoring/organise-page'),
  'cv-mentoring-relationship': () => import('./pages/mentoring/relationship-page'),
  'cv-messages-page': () => import('./pages/messaging/messages-page'),
  'cv-mfa-setup': () => import('./pages/mfa-setup-page'),
  'cv-moderation-queue': () => import('./pages/community/moderation-queue'),
  'cv-monitoring': () => import('./pages/monitoring/monitoring-page'),
  'cv-notifications-page': () => import('./pages/messaging/notifications-page'),
  'cv-patient-record': () => import('./pages/patients/patient-record'),
  'cv-patients-page': () => import('./pages/patients/patients-page'),
  'cv-people-page': () => import('./pages/people/people-page'),
  'cv-privacy': () => import('./pages/privacy/privacy-page'),
  'cv-programmes-page': () => import('./pages/care/programmes-page'),
  'cv-research-consent': () => import('./pages/research/consent-page'),
  'cv-research-exports': () => import('./pages/research/exports-page'),
  'cv-research-studies': () => import('./pages/research/studies-page'),
  'cv-research-study': () => import('./pages/research/study-page'),
  'cv-reset-password': () => import('./pages/reset-password-page'),
  'cv-scenario-author': () => import('./pages/training/author-page'),
  'cv-security': () => import('./pages/security-page'),
  'cv-selfhelp-page': () => import('./pages/wellbeing/selfhelp-page'),
  'cv-sign-up': () => import('./pages/sign-up-page'),
  'cv-sim-page': () => import('./pages/research/sim-page'),
  'cv-smart-consent': () => import('./pages/oauth/consent-page'),
  'cv-space': () => import('./pages/space-page'),
  'cv-spaces': () => import('./pages/spaces-page'),
  'cv-thought-records-page': () => import('./pages/wellbeing/thought-records-page'),
  'cv-training-page': () => import('./pages/training/training-page'),
  'cv-transparency-page': () => import('./pages/research/transparency-page'),
  'cv-vitals-page': () => import('./pages/monitoring/vitals-page'),
  'cv-volunteering': () => import('./pages/volunteering/volunteering-list'),
  'cv-volunteering-me': () => import('./pages/volunteering/my-page'),
  'cv-volunteering-new': () => import('./pages/volunteering/new-page'),
  'cv-volunteering-opportunity': () => import('./pages/volunteering/opportunity-page'),
  'cv-wellbeing-page': () => import('./pages/wellbeing/wellbeing-page'),
};

const loading = new Map<string, Promise<unknown>>();

function collectTags(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectTags(item, into);
    return;
  }
  const template = value as Partial<TemplateResult> | null;
  if (!template || typeof template !== 'object' || !Array.isArray(template.strings)) return;
  for (const part of template.strings) {
    for (const match of part.matchAll(/<(cv-[a-z0-9-]+)/g)) into.add(match[1]);
  }
  collectTags(template.values, into);
}

/** The page elements `template` renders whose module is not loaded yet. */
export function pagesToLoad(template: TemplateResult): string[] {
  const tags = new Set<string>();
  collectTags(template, tags);
  return [...tags].filter((tag) => tag in LOADERS && !customElements.get(tag));
}

/** Load the modules defining `tags` (each fetched once, however often it is asked for). */
export async function loadPages(tags: readonly string[]): Promise<void> {
  await Promise.all(
    tags.map((tag) => {
      let pending = loading.get(tag);
      if (!pending) {
        pending = LOADERS[tag]().catch((error: unknown) => {
          // A failed fetch (offline, a new deployment) may be retried on the next navigation.
          loading.delete(tag);
          throw error;
        });
        loading.set(tag, pending);
      }
      return pending;
    }),
  );
}
