// A finding's evidence as labelled fields a reader can follow: times as times, spans as spans, message
// ids as links, nested records as nested lists. The evidence is a check's own small JSON object.
import { formatDuration } from '../../src/common/time.ts';
import { html, type Html } from './html.ts';
import { timeTag } from './format.ts';

/** Past this depth or length the value is shown as compact JSON (evidence is small; a hostile one is not). */
const MAX_DEPTH = 3;
const MAX_ITEMS = 30;

/** `signerResult` → "signer result", `keysSince` → "keys since". */
export function fieldLabel(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
}

/** A number named like a moment (…Date, …Time, asOf, …Since, …At, …Epoch) and large enough to be one. */
function isMoment(key: string, v: number): boolean {
  return /(date|time|asof|since|epoch|at|seen)$/i.test(key) && Math.abs(v) > 1e8;
}

function value(key: string, v: unknown, depth: number): Html {
  if (v === null || v === undefined) return html`<span class="muted">—</span>`;
  if (typeof v === 'number') {
    if (isMoment(key, v)) return timeTag(v);
    if (/seconds?$/i.test(key)) return html`${formatDuration(v, 'words')} <span class="muted">(${v} s)</span>`;
    return html`${v}`;
  }
  if (typeof v === 'boolean') return html`${v ? 'yes' : 'no'}`;
  if (typeof v === 'string') {
    if (/^[0-9a-f]{64}$/.test(v)) return html`<a class="hash" href="/messages/${v}">${v.slice(0, 16)}…</a>`;
    return html`<span class="ev-text">${v}</span>`;
  }
  if (depth >= MAX_DEPTH) return html`<code>${JSON.stringify(v).slice(0, 500)}</code>`;
  if (Array.isArray(v)) {
    if (!v.length) return html`<span class="muted">none</span>`;
    const shown = v.slice(0, MAX_ITEMS);
    const scalar = shown.every((x) => x === null || typeof x !== 'object');
    const items = shown.map((x) => value(key, x, depth + 1));
    const more = v.length > MAX_ITEMS ? html` <span class="muted">and ${v.length - MAX_ITEMS} more</span>` : '';
    return scalar
      ? html`${items.map((x, i) => html`${i ? ', ' : ''}${x}`)}${more}`
      : html`<ol class="ev-list">${items.map((x) => html`<li>${x}</li>`)}</ol>${more}`;
  }
  return fields(v as Record<string, unknown>, depth + 1);
}

function fields(e: Record<string, unknown>, depth: number): Html {
  const entries = Object.entries(e).slice(0, MAX_ITEMS);
  if (!entries.length) return html`<span class="muted">no further evidence</span>`;
  return html`<dl class="evidence">${entries.map(([k, v]) => html`<dt>${fieldLabel(k)}</dt><dd>${value(k, v, depth)}</dd>`)}</dl>`;
}

export function evidenceFields(e: Record<string, unknown>): Html {
  return fields(e, 0);
}
