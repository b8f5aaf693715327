import { html, type SafeHtml } from './html.js';

/** What a form needs from the request: where it posts, its CSRF token, and what to tell the user. */
export interface FormState {
  action: string;
  csrf: string;
  /** An error to announce, with the field it is about when there is one. */
  error?: { message: string; field?: string };
  /** A confirmation to show (code sent, account confirmed, …). */
  notice?: string;
  /** Values to put back in the fields after an error (never passwords or codes). */
  values?: Record<string, string | undefined>;
}

export interface FieldSpec {
  name: string;
  label: string;
  type?: 'text' | 'password' | 'email' | 'tel';
  autocomplete?: string;
  inputMode?: 'numeric' | 'email' | 'tel';
  hint?: string;
  required?: boolean;
  /** Passwords and codes are never sent back to the browser. */
  secret?: boolean;
}

export const ERROR_ID = 'form-error';

/** The error, announced by screen readers as it appears (role=alert), and the notice (role=status). */
export function messages(state: FormState): SafeHtml {
  return html`${state.error ? html`<div class="errorMessage-customizable" role="alert" id="${ERROR_ID}">${state.error.message}</div>` : ''}${
    state.notice ? html`<div class="notice" role="status">${state.notice}</div>` : ''
  }`;
}

/**
 * Labelled fields in tab order. The field the error is about (or, without one, the first field) gets
 * focus, is marked aria-invalid and points at the error text with aria-describedby.
 */
export function fields(specs: FieldSpec[], state: FormState): SafeHtml {
  const focused = state.error?.field && specs.some((s) => s.name === state.error!.field) ? state.error.field : specs[0]?.name;
  return html`${specs.map((spec) => {
    const id = `field-${spec.name}`;
    const invalid = state.error !== undefined && (state.error.field === spec.name || (state.error.field === undefined && spec.name === focused));
    const hintId = spec.hint ? `${id}-hint` : undefined;
    const describedBy = [invalid ? ERROR_ID : undefined, hintId].filter(Boolean).join(' ');
    const value = spec.secret ? undefined : state.values?.[spec.name];
    return html`<div class="field">
<label class="label-customizable" for="${id}">${spec.label}</label>
${spec.hint ? html`<span class="hint" id="${hintId}">${spec.hint}</span>` : ''}
<input class="inputField-customizable" id="${id}" name="${spec.name}" type="${spec.type ?? 'text'}"${value !== undefined ? html` value="${value}"` : ''}${
      spec.autocomplete ? html` autocomplete="${spec.autocomplete}"` : ''
    }${spec.inputMode ? html` inputmode="${spec.inputMode}"` : ''}${spec.required !== false ? html` required` : ''}${invalid ? html` aria-invalid="true"` : ''}${
      describedBy ? html` aria-describedby="${describedBy}"` : ''
    }${spec.name === focused ? html` autofocus` : ''} autocapitalize="none" spellcheck="false">
</div>
`;
  })}`;
}

export function hidden(values: Record<string, string | undefined>): SafeHtml {
  return html`${Object.entries(values).map(([name, value]) => (value === undefined ? '' : html`<input type="hidden" name="${name}" value="${value}">\n`))}`;
}

/** A second way to submit the same form: its button sends `name=value`. */
export interface AlternativeSubmit {
  name: string;
  value: string;
  label: string;
}

/** A complete form: messages, fields, hidden values, CSRF token, a submit button (and perhaps an alternative one). */
export function form(state: FormState, specs: FieldSpec[], submit: string, extraHidden: Record<string, string | undefined> = {}, alternative?: AlternativeSubmit): SafeHtml {
  const second = alternative ? html`\n<button class="secondaryButton" type="submit" name="${alternative.name}" value="${alternative.value}">${alternative.label}</button>` : '';
  return html`${messages(state)}<form method="post" action="${state.action}" novalidate>
${hidden({ _csrf: state.csrf, ...extraHidden })}${fields(specs, state)}<button class="submitButton-customizable" type="submit">${submit}</button>${second}
</form>
`;
}
