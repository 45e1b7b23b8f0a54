import { html, nothing } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { sendReading } from '../../api/health';
import { describedBy, fieldError } from '../../components/fields';
import { LightElement } from '../../components/light-element';
import { Feedback } from '../../controllers/feedback';
import { t, type MessageKey } from '../../i18n';

/** One number the patient types, with the Open mHealth body field it fills. */
interface NumberSpec {
  readonly key: string;
  readonly field: string;
  readonly label: MessageKey;
}

/** A kind of reading: its Open mHealth schema, its numbers and the units it may be typed in. */
interface ReadingKind {
  readonly schema: string;
  readonly label: MessageKey;
  readonly numbers: readonly NumberSpec[];
  readonly units: readonly string[];
}

const KINDS = {
  bloodPressure: {
    schema: 'blood-pressure',
    label: 'reading.kind.bloodPressure',
    numbers: [
      { key: 'systolic', field: 'systolic_blood_pressure', label: 'reading.systolic' },
      { key: 'diastolic', field: 'diastolic_blood_pressure', label: 'reading.diastolic' },
    ],
    units: ['mmHg'],
  },
  heartRate: {
    schema: 'heart-rate',
    label: 'reading.kind.heartRate',
    numbers: [{ key: 'value', field: 'heart_rate', label: 'reading.heartRate' }],
    units: ['beats/min'],
  },
  glucose: {
    schema: 'blood-glucose',
    label: 'reading.kind.glucose',
    numbers: [{ key: 'value', field: 'blood_glucose', label: 'reading.glucose' }],
    units: ['mmol/L', 'mg/dL'],
  },
  weight: {
    schema: 'body-weight',
    label: 'reading.kind.weight',
    numbers: [{ key: 'value', field: 'body_weight', label: 'reading.weight' }],
    units: ['kg', 'lb'],
  },
  temperature: {
    schema: 'body-temperature',
    label: 'reading.kind.temperature',
    numbers: [{ key: 'value', field: 'body_temperature', label: 'reading.temperature' }],
    units: ['C', 'F'],
  },
  spo2: {
    schema: 'oxygen-saturation',
    label: 'reading.kind.spo2',
    numbers: [{ key: 'value', field: 'oxygen_saturation', label: 'reading.spo2' }],
    units: ['%'],
  },
} as const satisfies Record<string, ReadingKind>;

export type KindName = keyof typeof KINDS;
const KIND_NAMES = Object.keys(KINDS) as KindName[];

const UNIT_LABELS: Record<string, MessageKey> = {
  mmHg: 'unit.mmHg',
  'beats/min': 'unit.perMinute',
  'mmol/L': 'reading.unit.mmolL',
  'mg/dL': 'reading.unit.mgdL',
  kg: 'reading.unit.kg',
  lb: 'reading.unit.lb',
  C: 'unit.celsius',
  F: 'reading.unit.fahrenheit',
  '%': 'unit.percent',
};

/** The number as typed ("37,5" too), or null when it is not one. */
function parseNumber(text: string): number | null {
  const cleaned = text.trim().replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(cleaned)) return null;
  return Number(cleaned);
}

function newSourceId(): string {
  return `manual-${crypto.randomUUID()}`;
}

/**
 * "Add a reading": the patient types a blood pressure, heart rate, glucose, weight, temperature
 * or oxygen level. It goes through monitoring's ingest like any device's reading, so the same
 * checks, rules and alerts apply; a value the server refuses is shown beside its field. The
 * data point keeps its id until it is stored, so pressing again after a lost answer stores it once.
 */
export class ReadingForm extends LightElement {
  static override properties = {
    patientId: { attribute: 'patient-id' },
    kind: { state: true },
    values: { state: true },
    unit: { state: true },
    errors: { state: true },
  };

  declare patientId: string;
  declare kind: KindName;
  declare values: Record<string, string>;
  declare unit: string;
  declare errors: Record<string, string>;

  private readonly feedback = new Feedback(this);
  private sourceId = newSourceId();

  constructor() {
    super();
    this.patientId = '';
    this.kind = 'bloodPressure';
    this.values = {};
    this.unit = 'mmHg';
    this.errors = {};
  }

  private spec(): ReadingKind {
    return KINDS[this.kind];
  }

  private choose(kind: KindName): void {
    this.kind = kind;
    this.values = {};
    this.unit = KINDS[kind].units[0];
    this.errors = {};
    this.feedback.clear();
    this.sourceId = newSourceId();
  }

  private fieldId(key: string): string {
    return `reading-${key}`;
  }

  private validate(): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const n of this.spec().numbers) {
      const text = this.values[n.key] ?? '';
      if (!text.trim()) errors[n.key] = t('reading.error.required', { name: t(n.label) });
      else if (parseNumber(text) === null) errors[n.key] = t('reading.error.number');
    }
    return errors;
  }

  /** The field a refusal is about, and what to tell the patient. */
  private placeRefusal(reason: string): Record<string, string> {
    const numbers = this.spec().numbers;
    const lower = reason.toLowerCase();
    if (lower.includes('below systolic')) return { diastolic: t('reading.error.diastolicAbove') };
    const about =
      numbers.find((n) => lower.startsWith(n.key)) ??
      numbers.find((n) => lower.includes(n.key)) ??
      numbers[0];
    const message = lower.includes('unit')
      ? t('reading.error.unit')
      : t('reading.error.implausible', { name: t(about.label) });
    return { [about.key]: message };
  }

  private async showErrors(errors: Record<string, string>): Promise<void> {
    this.errors = errors;
    await this.feedback.failWith(t('form.errorSummary'));
    const first = this.spec().numbers.find((n) => errors[n.key]);
    if (first) await this.focusById(this.fieldId(first.key));
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.feedback.busy) return;
    this.feedback.notice = '';
    const errors = this.validate();
    if (Object.keys(errors).length > 0) {
      await this.showErrors(errors);
      return;
    }
    this.errors = {};
    this.feedback.clear();
    const spec = this.spec();
    const body: Record<string, unknown> = {};
    for (const n of spec.numbers) {
      body[n.field] = { value: parseNumber(this.values[n.key] ?? ''), unit: this.unit };
    }
    this.feedback.busy = 'reading';
    try {
      const answer = await sendReading(
        this.patientId,
        { id: this.sourceId, schema: spec.schema, body },
        new Date(),
      );
      this.feedback.busy = '';
      const refused = answer.rejected[0];
      if (refused) {
        await this.showErrors(this.placeRefusal(refused.reason));
        return;
      }
      this.values = {};
      this.sourceId = newSourceId();
      await this.feedback.say(t('reading.saved', { name: t(spec.label) }));
      this.dispatchEvent(new CustomEvent('reading-saved', { bubbles: true, composed: true }));
    } catch (error) {
      this.feedback.busy = '';
      await this.feedback.fail(error);
    }
  }

  private renderNumber(n: NumberSpec) {
    const id = this.fieldId(n.key);
    const error = this.errors[n.key];
    const hint = t('reading.unitHint', { unit: t(UNIT_LABELS[this.unit] ?? 'unit.percent') });
    const single = this.spec().units.length === 1;
    return html`
      <div class="field ${error ? 'field--invalid' : ''}">
        <label for=${id}>${t(n.label)}</label>
        ${single ? html`<p class="field-hint" id="${id}-hint">${hint}</p>` : nothing}
        ${fieldError(id, error)}
        <input
          id=${id}
          name=${n.key}
          type="text"
          inputmode="decimal"
          autocomplete="off"
          maxlength="8"
          required
          .value=${this.values[n.key] ?? ''}
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby=${ifDefined(describedBy(id, single ? hint : undefined, error))}
          @input=${(e: Event) => {
            this.values = { ...this.values, [n.key]: (e.target as HTMLInputElement).value };
          }}
        />
      </div>
    `;
  }

  private renderUnits(spec: ReadingKind) {
    if (spec.units.length === 1) return nothing;
    return html`
      <div class="field">
        <label for="reading-unit">${t('reading.unit')}</label>
        <select
          id="reading-unit"
          @change=${(e: Event) => (this.unit = (e.target as HTMLSelectElement).value)}
        >
          ${spec.units.map(
            (u) => html`<option value=${u} ?selected=${this.unit === u}>${t(UNIT_LABELS[u] ?? 'unit.percent')}</option>`,
          )}
        </select>
      </div>
    `;
  }

  override render() {
    const spec = this.spec();
    const busy = this.feedback.busy === 'reading';
    return html`
      <form class="reading-form" novalidate @submit=${this.submit} aria-describedby="reading-error">
        <fieldset class="reading-kinds">
          <legend>${t('reading.kindLegend')}</legend>
          ${KIND_NAMES.map(
            (name) => html`
              <label class="reading-kind">
                <input
                  type="radio"
                  name="reading-kind"
                  value=${name}
                  .checked=${this.kind === name}
                  @change=${() => this.choose(name)}
                />
                <span>${t(KINDS[name].label)}</span>
              </label>
            `,
          )}
        </fieldset>
        <div class="reading-numbers">${spec.numbers.map((n) => this.renderNumber(n))}</div>
        ${this.renderUnits(spec)}
        <p class="field-hint">${t('reading.nowHint')}</p>
        <button class="button button--primary" type="submit" aria-disabled=${busy ? 'true' : 'false'}>
          ${busy ? t('reading.saving') : t('reading.save')}
        </button>
        ${this.feedback.render('reading-error')}
        ${this.feedback.notice ? html`<p><a href="/vitals">${t('reading.seeVitals')}</a></p>` : nothing}
      </form>
    `;
  }
}

customElements.define('cv-reading-form', ReadingForm);

declare global {
  interface HTMLElementTagNameMap {
    'cv-reading-form': ReadingForm;
  }
}
