/** Form fields with their label, hint and error wired together for assistive technology. */
import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { t } from '../i18n';

/** The server's minimum; checked here first so that people learn it before sending. */
export const MIN_PASSWORD_LENGTH = 12;

/** A one-time code as typed, without the spaces some apps show in the middle of it. */
export function cleanOtp(value: string): string {
  return value.replace(/\s+/g, '');
}

/** The message for a one-time code that cannot be right, or '' when it looks like one. */
export function otpFormatError(code: string): string {
  if (!code) return t('validation.otpRequired');
  if (!/^\d{6}$/.test(code)) return t('validation.otpFormat');
  return '';
}

export interface TextFieldOptions {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  type?: 'text' | 'email' | 'password' | 'date';
  error?: string | undefined;
  hint?: string | undefined;
  autocomplete?: string;
  required?: boolean;
  inputmode?: 'text' | 'numeric' | 'email';
  min?: string;
  max?: string;
  maxlength?: number;
  pattern?: string;
}

/** The ids of a field's hint and error, for `aria-describedby`. */
export function describedBy(id: string, hint?: string, error?: string): string | undefined {
  const ids = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

export function fieldError(id: string, error?: string): TemplateResult | typeof nothing {
  return error
    ? html`<p class="field-error" id="${id}-error"><span class="visually-hidden">${t('form.errorPrefix')}</span>${error}</p>`
    : nothing;
}

export function textField(o: TextFieldOptions): TemplateResult {
  const optional = o.required === false;
  return html`
    <div class="field ${o.error ? 'field--invalid' : ''}">
      <label for=${o.id}>
        ${o.label}
        ${optional ? html`<span class="field-optional">${t('form.optionalMarker')}</span>` : nothing}
      </label>
      ${o.hint ? html`<p class="field-hint" id="${o.id}-hint">${o.hint}</p>` : nothing}
      ${fieldError(o.id, o.error)}
      <input
        id=${o.id}
        name=${o.id}
        type=${o.type ?? 'text'}
        .value=${o.value}
        ?required=${o.required !== false}
        aria-invalid=${o.error ? 'true' : 'false'}
        aria-describedby=${ifDefined(describedBy(o.id, o.hint, o.error))}
        autocomplete=${ifDefined(o.autocomplete)}
        inputmode=${ifDefined(o.inputmode)}
        min=${ifDefined(o.min)}
        max=${ifDefined(o.max)}
        maxlength=${ifDefined(o.maxlength)}
        pattern=${ifDefined(o.pattern)}
        spellcheck="false"
        @input=${(event: Event) => o.onInput((event.target as HTMLInputElement).value)}
      />
    </div>
  `;
}
