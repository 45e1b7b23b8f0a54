/**
 * Anatomy lessons on the project's own low-poly models (world/anatomy.ts, made by
 * care/anatomy_models.py): each model's layers are its materials (one mesh per material in the
 * glTF), each with a label and a short explanation, and a short quiz with feedback. The words
 * are in the English catalogue (en-training.ts), keyed by model, layer and question.
 */
import type { AnatomyKey } from '../../world/anatomy';
import type { MessageKey } from '../../i18n';

export interface LessonLayer {
  /** The glTF material the layer's meshes use. */
  material: string;
  name: MessageKey;
  about: MessageKey;
  /** A swatch colour (the model's own), for the 2D view. */
  colour: string;
}

export interface QuizQuestion {
  question: MessageKey;
  options: readonly MessageKey[];
  answer: number;
  feedback: MessageKey;
}

export interface Lesson {
  model: AnatomyKey;
  title: MessageKey;
  intro: MessageKey;
  layers: readonly LessonLayer[];
  quiz: readonly QuizQuestion[];
}

const rgb = (r: number, g: number, b: number): string =>
  `rgb(${Math.round(r * 255)} ${Math.round(g * 255)} ${Math.round(b * 255)})`;

export const LESSONS: readonly Lesson[] = [
  {
    model: 'heart',
    title: 'lesson.heart.title',
    intro: 'lesson.heart.intro',
    layers: [
      { material: 'muscle', name: 'lesson.heart.muscle', about: 'lesson.heart.muscle.about', colour: rgb(0.72, 0.22, 0.24) },
      { material: 'artery', name: 'lesson.heart.artery', about: 'lesson.heart.artery.about', colour: rgb(0.8, 0.3, 0.28) },
      { material: 'vein', name: 'lesson.heart.vein', about: 'lesson.heart.vein.about', colour: rgb(0.33, 0.42, 0.7) },
      { material: 'fat', name: 'lesson.heart.fat', about: 'lesson.heart.fat.about', colour: rgb(0.93, 0.84, 0.55) },
    ],
    quiz: [
      {
        question: 'lesson.heart.q1',
        options: ['lesson.heart.q1.a', 'lesson.heart.q1.b', 'lesson.heart.q1.c'],
        answer: 1,
        feedback: 'lesson.heart.q1.feedback',
      },
      {
        question: 'lesson.heart.q2',
        options: ['lesson.heart.q2.a', 'lesson.heart.q2.b', 'lesson.heart.q2.c'],
        answer: 0,
        feedback: 'lesson.heart.q2.feedback',
      },
    ],
  },
  {
    model: 'spine',
    title: 'lesson.spine.title',
    intro: 'lesson.spine.intro',
    layers: [
      { material: 'bone', name: 'lesson.spine.bone', about: 'lesson.spine.bone.about', colour: rgb(0.91, 0.88, 0.8) },
      { material: 'disc', name: 'lesson.spine.disc', about: 'lesson.spine.disc.about', colour: rgb(0.62, 0.76, 0.86) },
    ],
    quiz: [
      {
        question: 'lesson.spine.q1',
        options: ['lesson.spine.q1.a', 'lesson.spine.q1.b', 'lesson.spine.q1.c'],
        answer: 2,
        feedback: 'lesson.spine.q1.feedback',
      },
      {
        question: 'lesson.spine.q2',
        options: ['lesson.spine.q2.a', 'lesson.spine.q2.b', 'lesson.spine.q2.c'],
        answer: 0,
        feedback: 'lesson.spine.q2.feedback',
      },
    ],
  },
  {
    model: 'knee',
    title: 'lesson.knee.title',
    intro: 'lesson.knee.intro',
    layers: [
      { material: 'bone', name: 'lesson.knee.bone', about: 'lesson.knee.bone.about', colour: rgb(0.91, 0.88, 0.8) },
      { material: 'cartilage', name: 'lesson.knee.cartilage', about: 'lesson.knee.cartilage.about', colour: rgb(0.75, 0.86, 0.9) },
      { material: 'ligament', name: 'lesson.knee.ligament', about: 'lesson.knee.ligament.about', colour: rgb(0.85, 0.72, 0.62) },
    ],
    quiz: [
      {
        question: 'lesson.knee.q1',
        options: ['lesson.knee.q1.a', 'lesson.knee.q1.b', 'lesson.knee.q1.c'],
        answer: 1,
        feedback: 'lesson.knee.q1.feedback',
      },
      {
        question: 'lesson.knee.q2',
        options: ['lesson.knee.q2.a', 'lesson.knee.q2.b', 'lesson.knee.q2.c'],
        answer: 2,
        feedback: 'lesson.knee.q2.feedback',
      },
    ],
  },
];

export function lessonOf(model: string): Lesson | undefined {
  return LESSONS.find((lesson) => lesson.model === model);
}

/** What a lesson shows: the visible layers and the highlighted one (shared in a group). */
export interface LessonState {
  model: AnatomyKey;
  layers: string[];
  label: string;
}
