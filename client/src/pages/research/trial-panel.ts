import { html, nothing } from 'lit';
import {
  INTERVENTIONS,
  allocations,
  cohorts,
  createTrial,
  eligible,
  enrol,
  trials,
  type Allocation,
  type Cohort,
  type Trial,
} from '../../api/research';
import { t, type MessageKey } from '../../i18n';
import { StudyPanel } from './study-panel';

const FACTORS = ['sex', 'age_band'] as const;

function short(pseudonym: string): string {
  return pseudonym.slice(0, 12);
}

/** A study's trials: create one, enrol eligible participants, see past allocations only. */
export class ResearchTrials extends StudyPanel {
  static override properties = {
    ...StudyPanel.properties,
    list: { state: true },
    groups: { state: true },
    waiting: { state: true },
    past: { state: true },
  };

  declare list: Trial[];
  declare groups: Cohort[];
  declare waiting: Record<string, string[]>;
  declare past: Record<string, Allocation[]>;

  constructor() {
    super();
    this.list = [];
    this.groups = [];
    this.waiting = {};
    this.past = {};
  }

  protected override async load(): Promise<void> {
    const open = this.study?.mine && this.study.status === 'approved';
    await this.attempt(async (id) => {
      [this.list, this.groups] = await Promise.all([trials(id), cohorts(id)]);
      const past: Record<string, Allocation[]> = {};
      const waiting: Record<string, string[]> = {};
      for (const trial of this.list) {
        past[trial.id] = await allocations(id, trial.id);
        if (open) waiting[trial.id] = await eligible(id, trial.id);
      }
      this.past = past;
      this.waiting = waiting;
    });
  }

  private create = async (e: Event) => {
    e.preventDefault();
    if (!this.study) return;
    const data = new FormData(e.target as HTMLFormElement);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const arms = [1, 2].map((n) => ({
      name: text(`arm${n}`),
      ratio: Number(text(`ratio${n}`) || 1),
      intervention: text(`intervention${n}`) || null,
    }));
    const method = text('method');
    await this.act((id) =>
      createTrial(id, {
        title: text('title'),
        method,
        arms,
        block_sizes:
          method === 'permuted_blocks'
            ? text('blocks')
                .split(',')
                .map((b) => Number(b.trim()))
                .filter((b) => b > 0)
            : [],
        factors: data.getAll('factors').map(String),
        cohort_id: text('cohort') || null,
      }),
    );
  };

  private enrol = (trial: Trial, participant: string) =>
    this.act((id) => enrol(id, trial.id, participant));

  private trial(trial: Trial) {
    const waiting = this.waiting[trial.id] ?? [];
    const past = this.past[trial.id] ?? [];
    return html`<li class="card">
      <h3>${trial.title}</h3>
      <p>
        ${t('research.trials.summary', {
          method: t(`research.trials.method.${trial.method}` as MessageKey),
          enrolled: trial.enrolled,
          capacity: trial.capacity,
        })}
      </p>
      <p class="hint">${t('research.trials.sealed')}</p>
      ${this.study?.mine && this.study.status === 'approved'
        ? html`<h4>${t('research.trials.eligible')}</h4>
            ${waiting.length
              ? html`<ul role="list">
                  ${waiting.map(
                    (p) => html`<li>
                      <button class="button button--secondary" type="button"
                        @click=${() => this.enrol(trial, p)}>
                        ${t('research.trials.enrol', { participant: short(p) })}
                      </button>
                    </li>`,
                  )}
                </ul>`
              : html`<p>${t('research.trials.noEligible')}</p>`}`
        : nothing}
      <h4>${t('research.trials.allocations')}</h4>
      ${past.length
        ? html`<ol class="allocations">
            ${past.map(
              (a) => html`<li>
                ${t('research.trials.allocation', { seq: a.seq, participant: short(a.participant), arm: a.arm })}
              </li>`,
            )}
          </ol>`
        : html`<p>${t('research.trials.noAllocations')}</p>`}
    </li>`;
  }

  private arm(n: number) {
    return html`<label for="arm${n}">${t('research.trials.arm', { n })}</label>
      <input id="arm${n}" name="arm${n}" required maxlength="60" />
      <label for="ratio${n}">${t('research.trials.ratio', { n })}</label>
      <input id="ratio${n}" name="ratio${n}" type="number" min="1" max="10" value="1" />
      <label for="intervention${n}">${t('research.trials.intervention', { n })}</label>
      <select id="intervention${n}" name="intervention${n}">
        <option value="">${t('research.trials.interventionNone')}</option>
        ${INTERVENTIONS.map((i) => html`<option value=${i}>${t(`research.intervention.${i}`)}</option>`)}
      </select>`;
  }

  private form() {
    return html`<form class="stack" @submit=${this.create} aria-labelledby="trial-new">
      <h3 id="trial-new">${t('research.trials.new')}</h3>
      <label for="trial-title">${t('research.trials.trialTitle')}</label>
      <input id="trial-title" name="title" required maxlength="200" />
      <label for="trial-method">${t('research.trials.method')}</label>
      <select id="trial-method" name="method">
        <option value="permuted_blocks">${t('research.trials.method.permuted_blocks')}</option>
        <option value="minimise">${t('research.trials.method.minimise')}</option>
      </select>
      ${this.arm(1)} ${this.arm(2)}
      <label for="trial-blocks">${t('research.trials.blocks')}</label>
      <input id="trial-blocks" name="blocks" value="2, 4" maxlength="40" />
      <fieldset>
        <legend>${t('research.trials.factors')}</legend>
        ${FACTORS.map(
          (f) => html`<label>
            <input type="checkbox" name="factors" value=${f} /> ${t(`research.trials.factor.${f}`)}
          </label>`,
        )}
      </fieldset>
      <label for="trial-cohort">${t('research.trials.cohort')}</label>
      <select id="trial-cohort" name="cohort">
        <option value="">${t('research.trials.anyone')}</option>
        ${this.groups.map((c) => html`<option value=${c.id}>${c.name}</option>`)}
      </select>
      <p><button class="button" type="submit">${t('research.trials.submit')}</button></p>
    </form>`;
  }

  override render() {
    return html`<section class="panel" aria-labelledby="trials-heading">
      <h2 id="trials-heading">${t('research.trials.title')}</h2>
      ${this.list.length
        ? html`<ul role="list" class="cards">${this.list.map((tr) => this.trial(tr))}</ul>`
        : html`<p>${t('research.trials.none')}</p>`}
      ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      ${this.study?.mine ? this.form() : nothing}
    </section>`;
  }
}

customElements.define('cv-research-trials', ResearchTrials);

declare global {
  interface HTMLElementTagNameMap {
    'cv-research-trials': ResearchTrials;
  }
}
