import { html, nothing, type PropertyValues } from 'lit';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { hasWebGL2 } from '../../world/settings';
import type { AnatomyViewer } from './anatomy-viewer';
import { lessonOf, type Lesson, type LessonState } from './lessons';
import './training.css';

/**
 * One anatomy lesson: the model in 3D when WebGL is there (anatomy-viewer.ts), its layers to
 * show or hide, a label to point out with what that part does, and a short quiz with feedback.
 * Alone, the reader steers it. In a group (the lab), the instructor steers (`leader`): each
 * change is a `lesson-change` event the lab sends to everyone, and the others follow `shared`.
 * The quiz is each person's own.
 */
export class AnatomyLesson extends LightElement {
  static override properties = {
    model: { type: String },
    leader: { type: Boolean },
    shared: { attribute: false },
    layers: { state: true },
    label: { state: true },
    picked: { state: true },
    checked: { state: true },
    no3d: { state: true },
  };

  declare model: string;
  declare leader: boolean;
  declare shared: LessonState | null;
  declare layers: string[];
  declare label: string;
  declare picked: Record<number, number>;
  declare checked: Record<number, boolean>;
  declare no3d: boolean;
  private viewer: AnatomyViewer | null = null;
  private shown = '';

  constructor() {
    super();
    this.model = 'heart';
    this.leader = true;
    this.shared = null;
    this.layers = [];
    this.label = '';
    this.picked = {};
    this.checked = {};
    this.no3d = false;
  }

  private get lesson(): Lesson | undefined {
    return lessonOf(this.model);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('model')) {
      this.layers = (this.lesson?.layers ?? []).map((layer) => layer.material);
      this.label = '';
      this.picked = {};
      this.checked = {};
    }
    if (changed.has('shared') && this.shared && this.shared.model === this.model) {
      this.layers = [...this.shared.layers];
      this.label = this.shared.label;
    }
  }

  protected override updated(): void {
    const lesson = this.lesson;
    if (!lesson) return;
    const host = this.querySelector<HTMLElement>('.lesson-3d');
    if (host && !this.viewer && !this.no3d) {
      if (!hasWebGL2()) {
        this.no3d = true;
        return;
      }
      void import('./anatomy-viewer').then(({ AnatomyViewer }) => {
        if (!this.isConnected) return;
        this.viewer = new AnatomyViewer(host);
        this.shown = '';
        this.requestUpdate();
      });
    }
    if (this.viewer && this.shown !== lesson.model) {
      this.shown = lesson.model;
      void this.viewer.show(lesson.model);
    }
    this.viewer?.apply(this.layers, this.label);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.viewer?.dispose();
    this.viewer = null;
  }

  private change(layers: string[], label: string): void {
    this.layers = layers;
    this.label = label;
    this.dispatchEvent(
      new CustomEvent<LessonState>('lesson-change', {
        detail: { model: this.lesson?.model ?? 'heart', layers, label },
        bubbles: true,
      }),
    );
  }

  private toggle(material: string, on: boolean): void {
    const layers = on ? [...this.layers, material] : this.layers.filter((m) => m !== material);
    this.change(layers, this.label);
  }

  private check(index: number): void {
    this.checked = { ...this.checked, [index]: true };
  }

  override render() {
    const lesson = this.lesson;
    if (!lesson) return nothing;
    const steer = this.leader;
    const pointed = lesson.layers.find((layer) => layer.material === this.label);
    const id = `lesson-${lesson.model}`;
    const right = lesson.quiz.filter((q, i) => this.checked[i] && this.picked[i] === q.answer).length;
    return html`
      <section class="lesson" aria-labelledby=${`${id}-title`} data-model=${lesson.model}>
        <h2 id=${`${id}-title`}>${t(lesson.title)}</h2>
        <p>${t(lesson.intro)}</p>
        ${steer ? nothing : html`<p class="lesson-note">${t('lesson.shared')}</p>`}
        <div class="lesson-grid">
          <div>
            <div class="lesson-3d" role="img" aria-label=${t('lesson.view3d')}></div>
            ${this.no3d ? html`<p>${t('lesson.no3d')}</p>` : nothing}
          </div>
          <div>
            <fieldset>
              <legend>${t('lesson.layers')}</legend>
              ${lesson.layers.map(
                (layer) => html`<label class="lesson-option">
                  <input type="checkbox" ?disabled=${!steer} .checked=${this.layers.includes(layer.material)}
                    @change=${(e: Event) => this.toggle(layer.material, (e.target as HTMLInputElement).checked)} />
                  <span class="lesson-swatch" style=${`background:${layer.colour}`}></span>
                  ${t('lesson.show', { name: t(layer.name) })}
                </label>`,
              )}
            </fieldset>
            <fieldset>
              <legend>${t('lesson.labels')}</legend>
              ${lesson.layers.map(
                (layer) => html`<label class="lesson-option">
                  <input type="radio" name=${`${id}-label`} ?disabled=${!steer} .checked=${this.label === layer.material}
                    @change=${() => this.change(this.layers.includes(layer.material) ? this.layers : [...this.layers, layer.material], layer.material)} />
                  ${t('lesson.highlight', { name: t(layer.name) })}
                </label>`,
              )}
            </fieldset>
            <div aria-live="polite" data-testid="lesson-label">
              ${pointed ? html`<h3>${t(pointed.name)}</h3><p>${t(pointed.about)}</p>` : nothing}
            </div>
          </div>
        </div>
        <h3>${t('lesson.quiz')}</h3>
        ${lesson.quiz.map((q, i) => {
          const done = this.checked[i];
          const ok = done && this.picked[i] === q.answer;
          return html`<fieldset class="lesson-question">
            <legend>${t(q.question)}</legend>
            ${q.options.map(
              (option, o) => html`<label class="lesson-option">
                <input type="radio" name=${`${id}-q${i}`} .checked=${this.picked[i] === o}
                  @change=${() => (this.picked = { ...this.picked, [i]: o })} />
                ${t(option)}
              </label>`,
            )}
            <button type="button" ?disabled=${this.picked[i] === undefined} @click=${() => this.check(i)}>${t('lesson.check')}</button>
            <p role="status" data-testid=${`lesson-feedback-${i}`}>
              ${done ? html`<strong>${ok ? t('lesson.correct') : t('lesson.wrong')}</strong> ${t(q.feedback)}` : nothing}
            </p>
          </fieldset>`;
        })}
        <p data-testid="lesson-score">${t('lesson.score', { right, total: lesson.quiz.length })}</p>
      </section>
    `;
  }
}

customElements.define('cv-anatomy-lesson', AnatomyLesson);

declare global {
  interface HTMLElementTagNameMap {
    'cv-anatomy-lesson': AnatomyLesson;
  }
}
