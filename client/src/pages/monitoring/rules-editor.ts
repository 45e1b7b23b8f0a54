import { html, nothing, type PropertyValues } from 'lit';
import {
  addRule,
  deleteRule,
  rules,
  type Comparison,
  type Rule,
  type RuleBody,
  type Severity,
} from '../../api/monitoring';
import { fieldError } from '../../components/fields';
import { FormController } from '../../controllers/form';
import { LoadingController } from '../../controllers/loading';
import { t, type MessageKey } from '../../i18n';
import { PrivacySection } from '../privacy/section';
import { VITAL_CODES, ruleSummary, severityText, vitalName } from './vitals';

type Kind = RuleBody['kind'];
/** The number fields (which may be in error). */
type Field = 'value' | 'minutes' | 'change' | 'days' | 'hours';

interface RuleValues extends Record<Field, string> {
  kind: Kind;
  code: string;
  op: Comparison;
  severity: Severity;
  label: string;
}

const KINDS: Record<Kind, MessageKey> = {
  threshold: 'rules.kind.threshold',
  sustained: 'rules.kind.sustained',
  trend: 'rules.kind.trend',
  no_data: 'rules.kind.noData',
};

const OPS: Record<Comparison, MessageKey> = {
  '<': 'rules.op.lt',
  '<=': 'rules.op.le',
  '>': 'rules.op.gt',
  '>=': 'rules.op.ge',
};

const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high'];

/**
 * A patient's care-plan rules, for their clinician: the list (each with delete), and a small
 * form to add a threshold, a sustained condition, a trend or a no-data rule. Emits
 * `cv-rules-changed` (detail: the rules) so the page can redraw targets on charts.
 */
export class RulesEditor extends PrivacySection {
  static override properties = {
    patientId: { type: String, attribute: 'patient-id' },
  };

  declare patientId: string;

  private rules = new LoadingController(this, () => rules(this.patientId), { auto: false });

  /** Adding a rule; its action is `add` in the section's `busy` (else a rule id). */
  private form = new FormController<RuleValues>(this, {
    values: {
      kind: 'threshold',
      code: '59408-5',
      op: '<',
      value: '',
      minutes: '10',
      change: '',
      days: '3',
      hours: '6',
      severity: 'medium',
      label: '',
    },
    ids: {
      value: 'rule-value',
      minutes: 'rule-minutes',
      change: 'rule-change',
      days: 'rule-days',
      hours: 'rule-hours',
    },
    serverFields: { value: 'value', minutes: 'minutes', change: 'change', days: 'days', hours: 'hours' },
    feedback: this.feedback,
    action: 'add',
  });

  constructor() {
    super();
    this.patientId = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('patientId') && this.patientId) void this.load();
  }

  private async load(): Promise<void> {
    if (await this.rules.load()) this.tellRules();
  }

  private setRules(next: Rule[]): void {
    this.rules.value = next;
    this.tellRules();
  }

  /** The page draws the rules' targets on its charts. */
  private tellRules(): void {
    const next = this.rules.value ?? [];
    this.dispatchEvent(new CustomEvent('cv-rules-changed', { detail: next, bubbles: true }));
  }

  private number(field: Field, errors: Partial<Record<Field, string>>, positive = false): number {
    const raw = this.form.values[field].trim().replace(',', '.');
    const value = Number(raw);
    if (!raw || !Number.isFinite(value)) errors[field] = t('rules.numberRequired');
    else if (positive && value <= 0) errors[field] = t('rules.positiveRequired');
    return value;
  }

  private body(errors: Partial<Record<Field, string>>): RuleBody {
    const { code, op, severity } = this.form.values;
    const label = this.form.values.label.trim() || undefined;
    switch (this.form.values.kind) {
      case 'threshold':
        return {
          kind: 'threshold',
          code,
          op,
          value: this.number('value', errors),
          severity,
          label,
        };
      case 'sustained':
        return {
          kind: 'sustained',
          code,
          op,
          value: this.number('value', errors),
          minutes: this.number('minutes', errors, true),
          severity,
          label,
        };
      case 'trend':
        return {
          kind: 'trend',
          code,
          change: this.number('change', errors),
          days: this.number('days', errors, true),
          severity,
          label,
        };
      default:
        return {
          kind: 'no_data',
          hours: this.number('hours', errors, true),
          code: code === 'any' ? null : code,
          severity,
          label,
        };
    }
  }

  private async add(event: SubmitEvent): Promise<void> {
    const errors: Partial<Record<Field, string>> = {};
    const body = this.body(errors);
    const sent = await this.form.submit(event, {
      validate: () => errors,
      send: () => addRule(this.patientId, body),
    });
    if (!sent) return;
    const rule = sent.result;
    this.setRules([...(this.rules.value ?? []), rule]);
    this.form.reset('value', 'change', 'label');
    await this.say(t('rules.addedNotice', { rule: ruleSummary(rule) }));
  }

  private removeOne(rule: Rule): Promise<void> {
    return this.act(rule.id, 'rules-title', async () => {
      await deleteRule(rule.id);
      this.setRules((this.rules.value ?? []).filter((r) => r.id !== rule.id));
      return t('rules.deletedNotice', { rule: ruleSummary(rule) });
    });
  }

  private numberField(field: Field, label: string, hint?: string) {
    const id = `rule-${field}`;
    const error = this.form.errors[field];
    const described = [error ? `${id}-error` : '', hint ? `${id}-hint` : '']
      .filter(Boolean)
      .join(' ');
    return html`
      <div class="field ${error ? 'field--invalid' : ''}">
        <label for=${id}>${label}</label>
        ${hint ? html`<p class="field-hint" id="${id}-hint">${hint}</p>` : nothing}
        ${fieldError(id, error)}
        <input
          id=${id}
          type="text"
          inputmode="decimal"
          autocomplete="off"
          .value=${this.form.values[field]}
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby=${described || nothing}
          @input=${(e: Event) => this.form.set(field, (e.target as HTMLInputElement).value)}
        />
      </div>
    `;
  }

  private select<T extends string>(
    id: string,
    label: string,
    value: T,
    options: [T, string][],
    change: (value: T) => void,
  ) {
    return html`
      <div class="field">
        <label for=${id}>${label}</label>
        <select
          id=${id}
          @change=${(e: Event) => change((e.target as HTMLSelectElement).value as T)}
        >
          ${options.map(([option, text]) => html`<option value=${option} ?selected=${option === value}>${text}</option>`)}
        </select>
      </div>
    `;
  }

  private renderForm() {
    const codes: [string, string][] = VITAL_CODES.map((code) => [code, vitalName(code)]);
    const form = this.form;
    const { kind, code, op, severity, label } = form.values;
    return html`
      <form
        class="subform rule-form"
        novalidate
        @submit=${this.add}
        aria-labelledby="rule-form-title"
      >
        <h3 id="rule-form-title">${t('rules.formTitle')}</h3>
        <div class="form-row">
          ${this.select(
            'rule-kind',
            t('rules.kind'),
            kind,
            Object.entries(KINDS).map(([k, key]) => [k as Kind, t(key)]),
            (value) => {
              form.set('kind', value);
              form.errors = {};
              if (value === 'no_data') form.set('code', 'any');
              else if (code === 'any') form.set('code', '59408-5');
            },
          )}
          ${this.select(
            'rule-code',
            t('rules.code'),
            code,
            kind === 'no_data' ? [['any', t('rules.anyReading')], ...codes] : codes,
            (value) => form.set('code', value),
          )}
        </div>
        <div class="form-row">
          ${
            kind === 'threshold' || kind === 'sustained'
              ? html`${this.select(
                  'rule-op',
                  t('rules.op'),
                  op,
                  Object.entries(OPS).map(([option, key]) => [option as Comparison, t(key)]),
                  (value) => form.set('op', value),
                )}
                ${this.numberField('value', t('rules.value'))}`
              : nothing
          }
          ${kind === 'sustained' ? this.numberField('minutes', t('rules.minutes')) : nothing}
          ${
            kind === 'trend'
              ? html`${this.numberField('change', t('rules.change'), t('rules.changeHint'))}${this.numberField('days', t('rules.days'))}`
              : nothing
          }
          ${kind === 'no_data' ? this.numberField('hours', t('rules.hours')) : nothing}
        </div>
        <div class="form-row">
          ${this.select(
            'rule-severity',
            t('rules.severity'),
            severity,
            SEVERITIES.map((s) => [s, severityText(s)]),
            (value) => form.set('severity', value),
          )}
          <div class="field">
            <label for="rule-label"
              >${t('rules.label')}
              <span class="field-optional">${t('form.optionalMarker')}</span></label
            >
            <input
              id="rule-label"
              type="text"
              maxlength="120"
              autocomplete="off"
              .value=${label}
              @input=${(e: Event) => form.set('label', (e.target as HTMLInputElement).value)}
            />
          </div>
        </div>
        <div class="actions">
          <button
            class="button button--primary"
            type="submit"
            aria-disabled=${form.submitting ? 'true' : 'false'}
          >
            ${form.submitting ? t('form.working') : t('rules.add')}
          </button>
        </div>
      </form>
    `;
  }

  private renderBody(list: Rule[]) {
    return html`
      ${this.renderMessages()}
      ${
        list.length === 0
          ? html`<p class="empty">${t('rules.empty')}</p>`
          : html`<ul class="item-list" role="list" aria-labelledby="rules-title">
              ${list.map(
                (rule) => html`
                  <li class="item rule">
                    <p class="rule__summary">
                      <span class="severity severity--${rule.severity}"
                        >${severityText(rule.severity)}</span
                      >
                      ${ruleSummary(rule)}
                    </p>
                    ${rule.label ? html`<p class="item__meta">${rule.label}</p>` : nothing}
                    <button
                      class="button button--quiet"
                      type="button"
                      aria-disabled=${this.busy === rule.id ? 'true' : 'false'}
                      @click=${() => this.removeOne(rule)}
                    >
                      ${this.busy === rule.id ? t('form.working') : t('rules.delete', { rule: ruleSummary(rule) })}
                    </button>
                  </li>
                `,
              )}
            </ul>`
      }
      ${this.renderForm()}
    `;
  }

  override render() {
    return html`
      <section class="panel" aria-labelledby="rules-title">
        <h2 id="rules-title" tabindex="-1">${t('rules.title')}</h2>
        <p class="lead">${t('rules.intro')}</p>
        ${this.rules.render((list) => this.renderBody(list))}
      </section>
    `;
  }
}

customElements.define('cv-rules-editor', RulesEditor);

declare global {
  interface HTMLElementTagNameMap {
    'cv-rules-editor': RulesEditor;
  }
}
