// Small formatting helpers shared by the templates.
import { html, type Html } from './html.ts';

export const VERDICT_ORDER = ['verified', 'tampered', 'suspicious', 'unverifiable'] as const;

export function fmtEpoch(epoch: number | null | undefined): string {
  if (epoch === null || epoch === undefined) return '—';
  const d = new Date(epoch * 1000);
  return Number.isNaN(d.getTime())
    ? String(epoch)
    : d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.000Z$/, 'Z');
}

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

/** A delay between two times, e.g. "3 min 20 s"; negative delays are written as such. */
export function fmtDelay(seconds: number): string {
  const sign = seconds < 0 ? '−' : '';
  let s = Math.abs(Math.round(seconds));
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
  ] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)} ${unit}`);
      s %= size;
    }
  }
  if (s || !parts.length) parts.push(`${s} s`);
  return sign + parts.slice(0, 2).join(' ');
}

const KNOWN = new Set<string>(VERDICT_ORDER);

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
