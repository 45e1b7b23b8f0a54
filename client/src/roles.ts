/** What each role finds on its home page: the areas of Careverse it can go to. */
import type { MessageKey } from './i18n';

export interface Area {
  /** The path segment: the area lives at `/<slug>`. */
  readonly slug: string;
  readonly title: MessageKey;
  readonly description: MessageKey;
}

/** The `x` of every `area.x.title` message: an area cannot exist without its messages. */
type AreaKey = MessageKey extends infer K
  ? K extends `area.${infer Name}.title`
    ? Name
    : never
  : never;

function area(slug: string, key: AreaKey): Area {
  return {
    slug,
    title: `area.${key}.title` as const,
    description: `area.${key}.description` as const,
  };
}

export const AREAS = {
  health: area('health', 'health'),
  appointments: area('appointments', 'appointments'),
  vitals: area('vitals', 'vitals'),
  supportGroups: area('support-groups', 'supportGroups'),
  wellbeing: area('wellbeing', 'wellbeing'),
  privacy: area('privacy', 'privacy'),
  patients: area('patients', 'patients'),
  schedule: area('schedule', 'schedule'),
  alerts: area('alerts', 'alerts'),
  monitoring: area('monitoring', 'monitoring'),
  consultations: area('consultations', 'consultations'),
  spaces: area('spaces', 'spaces'),
  people: area('people', 'people'),
  caregiverGroups: area('caregiver-groups', 'caregiverGroups'),
  moderation: area('moderation', 'moderation'),
  communities: area('communities', 'communities'),
  cohorts: area('cohorts', 'cohorts'),
  exports: area('exports', 'exports'),
  accounts: area('accounts', 'accounts'),
  audit: area('audit', 'audit'),
  system: area('system', 'system'),
  messages: area('messages', 'messages'),
  inbox: area('inbox', 'inbox'),
  apps: area('apps', 'apps'),
  programmes: area('programmes', 'programmes'),
  training: area('training', 'training'),
  research: area('research', 'research'),
} as const satisfies Record<string, Area>;

interface RoleHome {
  readonly name: MessageKey;
  readonly intro: MessageKey;
  readonly areas: readonly Area[];
}

const ROLE_HOMES: Record<string, RoleHome> = {
  patient: {
    name: 'role.patient',
    intro: 'home.intro.patient',
    areas: [
      AREAS.health,
      AREAS.appointments,
      AREAS.vitals,
      AREAS.supportGroups,
      AREAS.wellbeing,
      AREAS.spaces,
      AREAS.privacy,
      AREAS.messages,
    ],
  },
  caregiver: {
    name: 'role.caregiver',
    intro: 'home.intro.caregiver',
    areas: [
      AREAS.people,
      AREAS.vitals,
      AREAS.appointments,
      AREAS.caregiverGroups,
      AREAS.spaces,
      AREAS.messages,
    ],
  },
  clinician: {
    name: 'role.clinician',
    intro: 'home.intro.clinician',
    areas: [
      AREAS.monitoring,
      AREAS.patients,
      AREAS.schedule,
      AREAS.alerts,
      AREAS.consultations,
      AREAS.spaces,
      AREAS.inbox,
      AREAS.programmes,
      AREAS.training,
    ],
  },
  moderator: {
    name: 'role.moderator',
    intro: 'home.intro.moderator',
    areas: [AREAS.moderation, AREAS.communities, AREAS.spaces],
  },
  researcher: {
    name: 'role.researcher',
    intro: 'home.intro.researcher',
    areas: [AREAS.cohorts, AREAS.exports, AREAS.spaces],
  },
  admin: {
    name: 'role.admin',
    intro: 'home.intro.admin',
    areas: [AREAS.accounts, AREAS.audit, AREAS.system, AREAS.moderation, AREAS.spaces, AREAS.apps, AREAS.research],
  },
};

/** The home of a role, or null for a role this client does not know yet. */
export function roleHome(role: string): RoleHome | null {
  return ROLE_HOMES[role] ?? null;
}

/** The area at `slug` if `role` may go there. */
export function areaFor(role: string, slug: string): Area | null {
  return roleHome(role)?.areas.find((candidate) => candidate.slug === slug) ?? null;
}
