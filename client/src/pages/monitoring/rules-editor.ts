import { html, nothing, type PropertyValues } from 'lit';
import { ApiError } from '../../api/http';
import {
  addRule,
  deleteRule,
  rules,
  type Comparison,
  type Rule,
  type RuleBody,
  type Severity,
} from '../../api/monitoring';
import { describeError, placeFieldErrors } from '../../components/errors';
import { fieldError } from '../../components/fields';
import { renderLoadFailure, renderLoading } from '../../components/load-state';
import { t, type MessageKey } from '../../i18n';
import { PrivacySection } from '../privacy/section';
import { VITAL_CODES, ruleSummary, severityText, vitalName } from './vitals';

type Kind = RuleBody['kind'];
type Field = 'value' | 'minutes' | 'change' | 'days' | 'hours';

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
    rules: { state: true },
    loadError: { state: true },
    busy: { state: true },
    kind: { state: true },
    code: { state: true },
    op: { state: true },
    values: { state: true },
    severity: { state: true },
    label: { state: true },
    errors: { state: true },
  };

  declare patientId: string;
  declare rules: Rule[] | null;
  declare loadError: string;
  declare busy: string;
  declare kind: Kind;
  declare code: string;
  declare op: Comparison;
  declare values: Record<Field, string>;
  declare severity: Severity;
  declare label: string;
  declare errors: Partial<Record<Field, string>>;

  constructor() {
    super();
    this.patientId = '';
    this.rules = null;
    this.loadError = '';
    this.busy = '';
    this.kind = 'threshold';
    this.code = '59408-5';
    this.op = '<';
    this.values = { value: '', minutes: '10', change: '', days: '3', hours: '6' };
    this.severity = 'medium';
    this.label = '';
    this.errors = {};
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('patientId') && this.patientId) void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = '';
    this.rules = null;
    try {
      this.setRules(await rules(this.patientId));
    } catch (error) {
      this.loadError = describeError(error);
    }
  }

  private setRules(next: Rule[]): void {
    this.rules = next;
    this.dispatchEvent(new CustomEvent('cv-rules-changed', { detail: next, bubbles: true }));
  }

  private fields(): Field[] {
    switch (this.kind) {
      case 'threshold':
        return ['value'];
      case 'sustained':
        return ['value', 'minutes'];
      case 'trend':
        return ['change', 'days'];
      default:
        return ['hours'];
    }
  }

  private number(field: Field, errors: Partial<Record<Field, string>>, positive = false): number {
    const raw = this.values[field].trim().replace(',', '.');
    const value = Number(raw);
    if (!raw || !Number.isFinite(value)) errors[field] = t('rules.numberRequired');
    else if (positive && value <= 0) errors[field] = t('rules.positiveRequired');
    return value;
  }

  private body(errors: Partial<Record<Field, string>>): RuleBody {
    const label = this.label.trim() || undefined;
    const severity = this.severity;
    switch (this.kind) {
      case 'threshold':
        return {
          kind: 'threshold',
          code: this.code,
          op: this.op,
          value: this.number('value', errors),
          severity,
          label,
        };
      case 'sustained':
        return {
          kind: 'sustained',
          code: this.code,
          op: this.op,
          value: this.number('value', errors),
          minutes: this.number('minutes', errors, true),
          severity,
          label,
        };
      case 'trend':
        return {
          kind: 'trend',
          code: this.code,
          change: this.number('change', errors),
          days: this.number('days', errors, true),
          severity,
          label,
        };
      default:
        return {
          kind: 'no_data',
          hours: this.number('hours', errors, true),
          code: this.code === 'any' ? null : this.code,
          severity,
          label,
        };
    }
  }

  private async add(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const errors: Partial<Record<Field, string>> = {};
    const body = this.body(errors);
    this.errors = errors;
    const first = this.fields().find((field) => errors[field]);
    if (first) {
      await this.failWith(t('form.errorSummary'));
      await this.focusById(`rule-${first}`);
      return;
    }
    this.clearMessages();
    this.busy = 'add';
    try {
      const rule = await addRule(this.patientId, body);
      this.setRules([...(this.rules ?? []), rule]);
      this.values = { ...this.values, value: '', change: '' };
      this.label = '';
      this.busy = '';
      await this.say(t('rules.addedNotice', { rule: ruleSummary(rule) }));
    } catch (error) {
      this.busy = '';
      if (error instanceof ApiError) {
        const fields = {
          value: 'value',
          minutes: 'minutes',
          change: 'change',
          days: 'days',
          hours: 'hours',
        } as const;
        const { errors: placed, unplaced } = placeFieldErrors(error, fields);
        if (Object.keys(placed).length > 0) {
          this.errors = placed;
          await this.failWith([t('form.errorSummary'), ...unplaced].join(' '));
          return;
        }
      }
      await this.fail(error);
    }
  }

  private removeOne(rule: Rule): Promise<void> {
    return this.act(rule.id, 'rules-title', async () => {
      await deleteRule(rule.id);
      this.setRules((this.rules ?? []).filter((r) => r.id !== rule.id));
      return t('rules.deletedNotice', { rule: ruleSummary(rule) });
    });
  }

  private numberField(field: Field, label: string, hint?: string) {
    const id = `rule-${field}`;
    const error = this.errors[field];
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
          .value=${this.values[field]}
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby=${described || nothing}
          @input=${(e: Event) => (this.values = { ...this.values, [field]: (e.target as HTMLInputElement).value })}
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
    const kind = this.kind;
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
              this.kind = value;
              this.errors = {};
              if (value === 'no_data') this.code = 'any';
              else if (this.code === 'any') this.code = '59408-5';
            },
          )}
          ${this.select(
            'rule-code',
            t('rules.code'),
            this.code,
            kind === 'no_data' ? [['any', t('rules.anyReading')], ...codes] : codes,
            (value) => (this.code = value),
          )}
        </div>
        <div class="form-row">
          ${
            kind === 'threshold' || kind === 'sustained'
              ? html`${this.select(
                  'rule-op',
                  t('rules.op'),
                  this.op,
                  Object.entries(OPS).map(([op, key]) => [op as Comparison, t(key)]),
                  (value) => (this.op = value),
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
            this.severity,
            SEVERITIES.map((s) => [s, severityText(s)]),
            (value) => (this.severity = value),
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
              .value=${this.label}
              @input=${(e: Event) => (this.label = (e.target as HTMLInputElement).value)}
            />
          </div>
        </div>
        <div class="actions">
          <button
            class="button button--primary"
            type="submit"
            aria-disabled=${this.busy === 'add' ? 'true' : 'false'}
          >
            ${this.busy === 'add' ? t('form.working') : t('rules.add')}
          </button>
        </div>
      </form>
    `;
  }

  private renderBody() {
    if (this.loadError) {
      return renderLoadFailure(this.loadError, this.load);
    }
    if (this.rules === null) return renderLoading();
    return html`
      ${this.renderMessages()}
      ${
        this.rules.length === 0
          ? html`<p class="empty">${t('rules.empty')}</p>`
          : html`<ul class="item-list" role="list" aria-labelledby="rules-title">
              ${this.rules.map(
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
        ${this.renderBody()}
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
