import { html, nothing } from 'lit';
import { markRead, modules, readModule, type ModuleProgress, type SelfHelpModule } from '../../api/selfhelp';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import './selfhelp.css';
import './thought-records-page';
import './activity-planner-page';

/**
 * "Self-help" (`/wellbeing/self-help`): psychoeducation modules (those the clinician recommended
 * first) with the patient's progress, a reader that marks each section read, and the way to the
 * thought records and the activity planner.
 */
export class SelfHelpPage extends LightElement {
  static override properties = {
    list: { state: true },
    open: { state: true },
    error: { state: true },
  };

  declare list: ModuleProgress[];
  declare open: SelfHelpModule | null;
  declare error: string;

  constructor() {
    super();
    this.list = [];
    this.open = null;
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.list = (await modules()).modules;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async show(code: string): Promise<void> {
    try {
      this.open = await readModule(code);
      void this.focusById('module-title');
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async read(section: string): Promise<void> {
    const open = this.open;
    if (!open) return;
    try {
      const progress = await markRead(open.module, section);
      this.open = { ...open, ...progress };
      this.list = this.list.map((m) => (m.module === progress.module ? progress : m));
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private progressText(m: ModuleProgress): string {
    if (m.completed) return t('selfhelp.module.completed');
    return t('selfhelp.module.progress', { read: m.sections_read.length, total: m.sections });
  }

  private renderReader(m: SelfHelpModule) {
    return html`<section class="panel" aria-labelledby="module-title">
      <h2 id="module-title" tabindex="-1">${m.title}</h2>
      <p>${this.progressText(m)}</p>
      <progress max=${m.sections} .value=${m.sections_read.length} aria-label=${t('selfhelp.module.progressLabel')}></progress>
      ${m.content.map((s) => {
        const read = m.sections_read.includes(s.id);
        return html`<article class="selfhelp-section" aria-labelledby="section-${s.id}">
          <h3 id="section-${s.id}">${s.title}</h3>
          ${s.body.map((p) => html`<p>${p}</p>`)}
          ${
            read
              ? html`<p class="selfhelp-read">${t('selfhelp.section.read')}</p>`
              : html`<button class="button" type="button" @click=${() => this.read(s.id)}>
                  ${t('selfhelp.section.markRead', { title: s.title })}
                </button>`
          }
        </article>`;
      })}
      <h3>${t('selfhelp.module.sources')}</h3>
      <ul>
        ${m.sources.map((s) => html`<li>${s}</li>`)}
      </ul>
      <button class="button" type="button" @click=${() => (this.open = null)}>${t('selfhelp.module.close')}</button>
    </section>`;
  }

  override render() {
    return html`
      <div class="page-intro">
        <h1>${t('selfhelp.title')}</h1>
        <p class="lead">${t('selfhelp.intro')}</p>
        <p><a href="/wellbeing">${t('breathing.back')}</a></p>
        <div class="form-error" role="alert">${this.error || nothing}</div>
      </div>
      <nav class="panel" aria-label=${t('selfhelp.tools')}>
        <ul class="selfhelp-tools">
          <li><a href="/wellbeing/self-help/thoughts">${t('selfhelp.thoughts.title')}</a></li>
          <li><a href="/wellbeing/self-help/activities">${t('selfhelp.activities.title')}</a></li>
        </ul>
      </nav>
      ${this.open ? this.renderReader(this.open) : nothing}
      <section class="panel" aria-labelledby="modules-title">
        <h2 id="modules-title">${t('selfhelp.modules.title')}</h2>
        <ul class="selfhelp-modules">
          ${this.list.map(
            (m) => html`<li>
              <h3>${m.title}</h3>
              ${m.recommended ? html`<p class="badge">${t('selfhelp.module.recommended')}</p>` : nothing}
              <p>${m.summary}</p>
              <p>${t('selfhelp.module.minutes', { minutes: m.minutes })} · ${this.progressText(m)}</p>
              <button class="button" type="button" @click=${() => this.show(m.module)}>
                ${t('selfhelp.module.open', { title: m.title })}
              </button>
            </li>`,
          )}
        </ul>
      </section>
    `;
  }
}

customElements.define('cv-selfhelp-page', SelfHelpPage);
