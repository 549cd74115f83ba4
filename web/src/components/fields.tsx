// fields.tsx - labelled form controls that show the API's validation message
// next to the member it concerns.
//
// A problem response names the member at fault in `field` as a JSON path
// ("expected_discharge_date", "patient.personnummer", "recipients[1].unit").
// Each control has a `name` with the same path; errorFor() gives it the
// message when the path is its own or lies below it. A message whose field no
// control on the form shows (or that has no field) goes to the form's summary
// at the top. Controls get aria-invalid and aria-describedby pointing at the
// message, and the first invalid control receives focus.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { ApiError, NetworkError } from '../api';
import { fill, t } from '../i18n';

/** Problems found before sending (required fields left empty): one message per field. */
export class FieldErrors extends Error {
  fields: Record<string, string>;
  constructor(fields: Record<string, string>) {
    super(Object.values(fields)[0] ?? '');
    this.fields = fields;
  }
}

/** A FieldErrors for every name whose value is empty; null when none is. */
export function missingRequired(values: Record<string, unknown>, names: string[]): FieldErrors | null {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = values[n];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0))
      out[n] = t('required_field');
  }
  return Object.keys(out).length ? new FieldErrors(out) : null;
}

export function errorMessage(e: unknown): string {
  if (e instanceof FieldErrors) return e.message;
  if (e instanceof ApiError) return e.problem.detail || e.problem.title || e.problem.code;
  if (e instanceof NetworkError) return t('error_network');
  return t('error_generic');
}

function matches(field: string, name: string): boolean {
  return field === name || field.startsWith(name + '.') || field.startsWith(name + '[');
}

export function errorFor(e: unknown, name: string): string | undefined {
  if (e instanceof FieldErrors) return e.fields[name];
  if (!(e instanceof ApiError) || !e.problem.field) return undefined;
  return matches(e.problem.field, name) ? errorMessage(e) : undefined;
}

/** The message of an error no control of `names` shows; undefined when one does. */
export function unmatchedError(e: unknown, names: string[]): string | undefined {
  if (!e) return undefined;
  if (e instanceof FieldErrors) return undefined;
  if (e instanceof ApiError && e.problem.field && names.some((n) => matches(e.problem.field!, n))) return undefined;
  return errorMessage(e);
}

export const fieldId = (form: string, name: string) => `${form}-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;

interface Base {
  form: string;
  name: string;
  label: string;
  error?: unknown;
  required?: boolean;
  hint?: string;
  disabled?: boolean;
}

function Wrap(p: Base & { children: ComponentChildren; inline?: boolean }) {
  const id = fieldId(p.form, p.name);
  const msg = errorFor(p.error, p.name);
  return (
    <div class={'field' + (msg ? ' field-invalid' : '') + (p.inline ? ' field-inline' : '')}>
      <label for={id}>
        {p.label}
        {p.required ? (
          <span class="req" aria-hidden="true">
            {' '}
            *
          </span>
        ) : null}
      </label>
      {p.children}
      {p.hint ? (
        <p class="hint" id={id + '-hint'}>
          {p.hint}
        </p>
      ) : null}
      {msg ? (
        <p class="field-error" id={id + '-err'} data-field={p.name}>
          {msg}
        </p>
      ) : null}
    </div>
  );
}

function aria(p: Base) {
  const id = fieldId(p.form, p.name);
  const msg = errorFor(p.error, p.name);
  const described = [p.hint ? id + '-hint' : '', msg ? id + '-err' : ''].filter(Boolean).join(' ');
  return {
    id,
    name: p.name,
    'aria-invalid': msg ? ('true' as const) : undefined,
    'aria-describedby': described || undefined,
    'aria-required': p.required ? ('true' as const) : undefined,
    disabled: p.disabled,
  };
}

export function TextInput(
  p: Base & {
    value: string;
    onValue: (v: string) => void;
    type?: 'text' | 'date' | 'datetime-local' | 'tel' | 'password' | 'search';
    autoComplete?: string;
    maxLength?: number;
    inputMode?: 'numeric' | 'text' | 'tel';
    placeholder?: string;
  },
) {
  return (
    <Wrap {...p}>
      <input
        {...aria(p)}
        type={(p.type ?? 'text') as 'text'}
        value={p.value}
        autoComplete={p.autoComplete ?? 'off'}
        maxLength={p.maxLength}
        inputMode={p.inputMode}
        placeholder={p.placeholder}
        onInput={(e) => p.onValue((e.currentTarget as HTMLInputElement).value)}
      />
    </Wrap>
  );
}

/**
 * The longest free text in characters. The server keeps at most 2 047 bytes (UTF-8); 1 000 characters fit
 * whatever Swedish letters they hold (å, ä, ö, é take two bytes each), so the limit can be stated in
 * characters, the way a nurse counts (issue 18.5).
 */
export const TEXT_MAX_CHARS = 1000;

/** Characters as a person counts them (code points, not UTF-16 units). */
export const charCount = (s: string) => [...s].length;

export function TextArea(p: Base & { value: string; onValue: (v: string) => void; maxLength?: number }) {
  const max = p.maxLength ?? TEXT_MAX_CHARS;
  const used = charCount(p.value);
  const id = fieldId(p.form, p.name);
  const a = aria(p);
  return (
    <Wrap {...p}>
      <textarea
        {...a}
        aria-describedby={[a['aria-describedby'], id + '-count'].filter(Boolean).join(' ')}
        rows={2}
        value={p.value}
        maxLength={max}
        onInput={(e) => p.onValue((e.currentTarget as HTMLTextAreaElement).value)}
      />
      <p class={'char-count' + (used >= max ? ' char-count-full' : '')} id={id + '-count'} data-count={used}>
        {fill(t('chars_used'), { n: used, max })}
      </p>
    </Wrap>
  );
}

export function Select(
  p: Base & {
    value: string;
    onValue: (v: string) => void;
    options: { value: string; label: string; group?: string }[];
    placeholder?: string;
  },
) {
  const groups = [...new Set(p.options.map((o) => o.group ?? ''))];
  const opts = (g: string) =>
    p.options
      .filter((o) => (o.group ?? '') === g)
      .map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ));
  return (
    <Wrap {...p}>
      <select {...aria(p)} value={p.value} onChange={(e) => p.onValue((e.currentTarget as HTMLSelectElement).value)}>
        {p.placeholder !== undefined ? <option value="">{p.placeholder}</option> : null}
        {groups.map((g) =>
          g ? (
            <optgroup key={g} label={g}>
              {opts(g)}
            </optgroup>
          ) : (
            opts(g)
          ),
        )}
      </select>
    </Wrap>
  );
}

export function Checkbox(p: Base & { checked: boolean; onChecked: (v: boolean) => void }) {
  const id = fieldId(p.form, p.name);
  const msg = errorFor(p.error, p.name);
  return (
    <div class={'field field-check' + (msg ? ' field-invalid' : '')}>
      <input
        {...aria(p)}
        type="checkbox"
        checked={p.checked}
        onChange={(e) => p.onChecked((e.currentTarget as HTMLInputElement).checked)}
      />
      <label for={id}>{p.label}</label>
      {msg ? (
        <p class="field-error" id={id + '-err'} data-field={p.name}>
          {msg}
        </p>
      ) : null}
    </div>
  );
}

/** The form frame: error summary, submit button disabled while sending, focus on the first invalid control. */
export function FormShell(p: {
  id: string;
  title?: string;
  fields: string[];
  error: unknown;
  busy: boolean;
  submitLabel: string;
  onSubmit: () => void;
  onCancel?: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLFormElement>(null);
  const summary = unmatchedError(p.error, p.fields);
  useEffect(() => {
    if (!p.error || !ref.current) return;
    const bad = ref.current.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (bad) bad.focus();
    else ref.current.querySelector<HTMLElement>('.form-error')?.focus();
  }, [p.error]);
  return (
    <form
      ref={ref}
      id={p.id}
      class="form"
      noValidate
      aria-busy={p.busy ? 'true' : 'false'}
      onSubmit={(e) => {
        e.preventDefault();
        p.onSubmit();
      }}
    >
      {p.title ? <h3 class="form-title">{p.title}</h3> : null}
      {summary ? (
        <div class="form-error" role="alert" tabIndex={-1}>
          {summary}
        </div>
      ) : null}
      {p.children}
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={p.busy}>
          {p.busy ? t('saving') : p.submitLabel}
        </button>
        {p.onCancel ? (
          <button type="button" class="btn" onClick={p.onCancel}>
            {t('close_form')}
          </button>
        ) : null}
      </div>
    </form>
  );
}
