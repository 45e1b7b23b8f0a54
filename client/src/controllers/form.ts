/**
 * The life of a form, written once: its values, the message beside each field (from the page's
 * own checks or the server's 422 answer), the summary in the alert region, keyboard focus on the
 * first field in error, and the action under way (a second press does nothing).
 *
 *   private form = new FormController(this, { values: { email: '' }, ids: { email: 'x-email' } });
 *   ...
 *   if (await this.form.submit(event, { validate, send })) navigate('/home');
 *   ...
 *   ${textField({ ...this.form.field('email'), label: t('field.email') })}
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ApiError } from '../api/http';
import { placeFieldErrors } from '../components/errors';
import { t } from '../i18n';
import { Feedback } from './feedback';

/** A message per field in error. */
export type FieldErrorsOf<V> = Partial<Record<keyof V & string, string>>;

/** The names of the fields whose value is text (those a `textField` can show). */
type TextFieldName<V> = { [K in keyof V & string]: V[K] extends string ? K : never }[keyof V & string];

export interface FormOptions<V extends object> {
  /** The values the form starts with (and returns to on `reset`). */
  values: V;
  /** Element ids of the fields that can be in error, in the order they appear on screen. */
  ids: { readonly [K in keyof V & string]?: string };
  /**
   * Request-body names (as the server reports them in a 422 answer) to fields. Without it the
   * server's field messages are not placed beside fields; the alert region tells them instead.
   */
  serverFields?: Readonly<Record<string, keyof V & string>>;
  /** Whether fields in error come with a summary in the alert region (default true). */
  summary?: boolean;
  /** Messages and busy state shared with the rest of a section (default: the form's own). */
  feedback?: Feedback;
  /** The form's name in `feedback.busy` (default `submit`). */
  action?: string;
}

export interface SubmitSteps<V, R> {
  /** The page's own checks; a field in error stops the form here. */
  validate?: () => FieldErrorsOf<V>;
  /** The request (and anything that must happen while the form is still busy). */
  send: () => Promise<R>;
  /** A failure that needs handling of its own: answer true once it is handled. */
  failed?: (error: unknown) => boolean | Promise<boolean>;
  /** Adjust the field messages placed from the server's answer before they are shown. */
  refine?: (errors: FieldErrorsOf<V>, error: ApiError) => void;
}

function hasAny(errors: object): boolean {
  return Object.keys(errors).length > 0;
}

export class FormController<V extends object> implements ReactiveController {
  readonly feedback: Feedback;
  private readonly initial: V;
  private readonly ids: FormOptions<V>['ids'];
  private readonly serverFields: FormOptions<V>['serverFields'];
  private readonly summary: boolean;
  private readonly action: string;
  private _values: V;
  private _errors: FieldErrorsOf<V> = {};

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    options: FormOptions<V>,
  ) {
    host.addController(this);
    this.feedback = options.feedback ?? new Feedback(host);
    this.initial = options.values;
    this._values = { ...options.values };
    this.ids = options.ids;
    this.serverFields = options.serverFields;
    this.summary = options.summary ?? true;
    this.action = options.action ?? 'submit';
  }

  hostConnected(): void {
    // Nothing to start: the form's state lives as long as the host.
  }

  get values(): Readonly<V> {
    return this._values;
  }

  get errors(): FieldErrorsOf<V> {
    return this._errors;
  }

  set errors(errors: FieldErrorsOf<V>) {
    this._errors = errors;
    this.host.requestUpdate();
  }

  /** Whether this form's request is under way. */
  get submitting(): boolean {
    return this.feedback.busy === this.action;
  }

  set<K extends keyof V>(field: K, value: V[K]): void {
    this._values = { ...this._values, [field]: value };
    this.host.requestUpdate();
  }

  /** Back to the starting values: of `fields`, or of every field when none are named. */
  reset(...fields: (keyof V)[]): void {
    const names = fields.length > 0 ? fields : (Object.keys(this.initial) as (keyof V)[]);
    const values = { ...this._values };
    for (const name of names) values[name] = this.initial[name];
    this._values = values;
    this.host.requestUpdate();
  }

  /** What a `textField` needs of a text field: its id, value, message and input handler. */
  field<K extends TextFieldName<V>>(name: K) {
    return {
      id: this.ids[name] ?? name,
      value: this._values[name] as string,
      error: this._errors[name],
      onInput: (value: string) => this.set(name, value as V[K]),
    };
  }

  /** Move keyboard focus to a field once the current render is on screen. */
  async focus(field: keyof V & string): Promise<void> {
    await this.focusId(this.ids[field] ?? field);
  }

  async focusId(id: string): Promise<void> {
    await this.host.updateComplete;
    (this.host.querySelector(`#${CSS.escape(id)}`) as HTMLElement | null)?.focus();
  }

  /**
   * Show the fields in error with the summary (and `also`, messages that belong to no field)
   * in the alert region, and bring focus to the first of them.
   */
  async showErrors(errors: FieldErrorsOf<V>, also: readonly string[] = []): Promise<void> {
    this.errors = errors;
    const message = [this.summary && hasAny(errors) ? t('form.errorSummary') : '', ...also]
      .filter(Boolean)
      .join(' ');
    if (message) await this.feedback.failWith(message);
    else this.feedback.error = '';
    const first = (Object.keys(this.ids) as (keyof V & string)[]).find((field) => errors[field]);
    if (first) await this.focus(first);
  }

  /**
   * Check, send and report: the page's checks first (fields in error stop here), then the
   * request; a failure is placed beside its fields or announced. Answers `{ result }` (what
   * `send` answered) once the request succeeded, or null; the form is no longer busy by then.
   */
  async submit<R>(event: Event | null, steps: SubmitSteps<V, R>): Promise<{ result: R } | null> {
    event?.preventDefault();
    const feedback = this.feedback;
    if (feedback.busy) return null;
    feedback.notice = '';
    const errors = steps.validate?.() ?? {};
    if (hasAny(errors)) {
      await this.showErrors(errors);
      return null;
    }
    this.errors = {};
    feedback.clear();
    feedback.busy = this.action;
    let result: R;
    try {
      result = await steps.send();
    } catch (error) {
      feedback.busy = '';
      await this.failed(error, steps);
      return null;
    }
    feedback.busy = '';
    return { result };
  }

  private async failed<R>(error: unknown, steps: SubmitSteps<V, R>): Promise<void> {
    if (await steps.failed?.(error)) return;
    if (error instanceof ApiError && this.serverFields) {
      const { errors, unplaced } = placeFieldErrors(error, this.serverFields);
      steps.refine?.(errors, error);
      if (hasAny(errors)) {
        await this.showErrors(errors, unplaced);
        return;
      }
    }
    this.errors = {};
    await this.feedback.fail(error);
  }
}
