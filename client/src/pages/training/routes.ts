/** The training pages' routes (spread into router.ts's ROUTES). */
import { html } from 'lit';
import type { RouteEntry } from '../../router';

const UUID_LIKE = /^[0-9a-fA-F-]{1,64}$/;
/** Only educators (instructors: clinicians) write scenarios; others go back to training. */
const educatorsOnly: RouteEntry['redirect'] = (account) =>
  account && account.role !== 'clinician' ? '/training' : null;

export const TRAINING_ROUTES: readonly RouteEntry[] = [
  {
    name: 'training',
    path: '/training',
    audience: 'signedIn',
    title: 'training.title',
    page: () => html`<cv-training-page></cv-training-page>`,
  },
  {
    name: 'training-lab',
    path: '/training/lab/:id',
    params: { id: UUID_LIKE },
    audience: 'signedIn',
    title: 'lab.title',
    page: ({ params }) => html`<cv-lab-page space-id=${params.id ?? ''}></cv-lab-page>`,
  },
  {
    name: 'training-run',
    path: '/training/runs/:id',
    params: { id: UUID_LIKE },
    audience: 'signedIn',
    title: 'debrief.title',
    page: ({ params }) => html`<cv-debrief-page run-id=${params.id ?? ''}></cv-debrief-page>`,
  },
  {
    name: 'training-author',
    path: '/training/author',
    audience: 'signedIn',
    title: 'author.title',
    redirect: educatorsOnly,
    page: () => html`<cv-scenario-author></cv-scenario-author>`,
  },
  {
    name: 'training-author-draft',
    path: '/training/author/:id',
    params: { id: UUID_LIKE },
    audience: 'signedIn',
    title: 'author.title',
    redirect: educatorsOnly,
    page: ({ params }) => html`<cv-scenario-author draft-id=${params.id ?? ''}></cv-scenario-author>`,
  },
  {
    name: 'training-lessons',
    path: '/training/lessons',
    audience: 'signedIn',
    title: 'lesson.listTitle',
    page: () => html`<cv-lessons-page></cv-lessons-page>`,
  },
  {
    name: 'training-lesson',
    path: '/training/lessons/:model',
    params: { model: /^(heart|spine|knee)$/ },
    audience: 'signedIn',
    title: 'lesson.listTitle',
    page: ({ params }) => html`<cv-lessons-page model=${params.model ?? ''}></cv-lessons-page>`,
  },
];
