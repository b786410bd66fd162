// Small formatting helpers shared by the templates. Times and durations are written by
// src/common/time.ts (formatTime, formatDuration), the verdicts listed by src/model.ts (VERDICTS).
import { VERDICTS } from '../../src/model.ts';
import { formatTime } from '../../src/common/time.ts';
import { html, type Html } from './html.ts';

export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function fmtCount(n: number): string {
  return n.toLocaleString('en-US');
}

const KNOWN = new Set<string>(VERDICTS);

export function verdictBadge(v: string | null | undefined): Html {
  if (!v) return html`<span class="muted">—</span>`;
  const cls = KNOWN.has(v) ? v : 'unknown';
  return html`<span class="badge v-${cls}">${v}</span>`;
}

export function yesNo(v: boolean | number | null | undefined): string {
  return v === null || v === undefined ? '—' : v ? 'yes' : 'no';
}

/** "Name <address>" or whichever part exists. */
export function fmtAddress(name: string | null | undefined, address: string | null | undefined): string {
  if (name && address) return `${name} <${address}>`;
  return address || name || '—';
}

/** Builds a query string from pairs, skipping empty values. */
export function queryString(pairs: [string, string | number | null | undefined][]): string {
  const p = new URLSearchParams();
  for (const [k, v] of pairs) if (v !== null && v !== undefined && v !== '') p.append(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * A time the reader can read: UTC on the page, turned into the reader's own zone by review.js, with
 * the exact UTC time on hover either way. `missing` stands for an unknown time.
 */
export function timeTag(epoch: number | null | undefined, missing = '—'): Html {
  const iso = formatTime(epoch, 'iso', '');
  if (!iso || !/^\d{4}-/.test(iso))
    return html`<span class="muted">${epoch === null || epoch === undefined ? missing : String(epoch)}</span>`;
  return html`<time datetime="${iso}" title="${formatTime(epoch, 'readable')} UTC">${formatTime(epoch, 'minute')} UTC</time>`;
}

/** A reason or finding code, linked to its meaning on the checks page. */
export function codeLink(code: string): Html {
  return html`<a class="code" href="/-/checks#code-${code}" title="what ${code} means"><code>${code}</code></a>`;
}
