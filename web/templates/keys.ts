// The key store: every DKIM key record, where it came from, how strong it is, and what it verified.
import type { KeysPage, KeyUsage } from '../../src/store/keys-page-repo.ts';
import { html, type Html } from './html.ts';
import { fmtCount, queryString, timeTag } from './format.ts';
import { layout } from './layout.ts';

/** A key record with what its p= says: type, size, and how much that size can be trusted. */
export type KeyRow = KeyUsage & {
  keyType: string | null;
  keyBits: number | null;
  /** weak: under 1024 bits (does not count, RFC 8301); short: under 2048; revoked: empty p=. */
  strength: 'ok' | 'short' | 'weak' | 'revoked' | 'unknown';
};

export type KeysData = Omit<KeysPage, 'keys'> & { keys: KeyRow[]; domain: string | null };

const SOURCE_KINDS: Record<string, string> = {
  zone: 'zone file',
  json: 'DNS cache file',
  archive: 'key archive',
  dns: 'live DNS',
};

/** Where a record came from, named once ("zone file demo.zone", not "zone: zone:demo.zone"). */
export function sourceLabel(kind: string, source: string): string {
  const bare = source.startsWith(`${kind}:`) ? source.slice(kind.length + 1) : source;
  return `${SOURCE_KINDS[kind] ?? kind} ${bare}`.trim();
}

/** Why a record has no first/last-seen time. */
function unseen(k: KeyRow): string {
  if (k.sourceKind === 'archive') return 'the archive gave no date';
  if (k.sourceKind === 'dns') return 'fetched live, not observed over time';
  return `a ${SOURCE_KINDS[k.sourceKind] ?? k.sourceKind} records no dates`;
}

function seen(k: KeyRow): Html {
  if (k.firstSeen === null && k.lastSeen === null) {
    return html`<span class="muted">unknown: ${unseen(k)}</span>${k.fetchedAt !== null ? html`<br>fetched ${timeTag(k.fetchedAt)}` : ''}`;
  }
  return html`${timeTag(k.firstSeen, 'unknown')} –<br>${timeTag(k.lastSeen, 'still published or unknown')}`;
}

function strength(k: KeyRow): Html {
  const size = k.keyType
    ? html`${k.keyType}${k.keyBits ? html` ${fmtCount(k.keyBits)} bits` : ''}`
    : html`<span class="muted">unreadable</span>`;
  switch (k.strength) {
    case 'weak':
      return html`${size}<br><strong class="warn" title="RFC 8301: keys under 1024 bits must not count">weak: does not count</strong>`;
    case 'short':
      return html`${size}<br><strong class="caution" title="1024-bit RSA is within reach of a well-funded attacker">short</strong>`;
    case 'revoked':
      return html`<strong class="warn">revoked</strong> <span class="muted">(empty p=)</span>`;
    default:
      return size;
  }
}

function usage(u: Record<string, number>): Html {
  const entries = Object.entries(u).filter(([r]) => r !== 'pass');
  if (!entries.length) return html`<span class="muted">none</span>`;
  return html`${entries.map(([r, n]) => html`<span class="usage r-${r}">${r} ${fmtCount(n)}</span> `)}`;
}

/** The TXT value with p= cut short; the whole record behind a click. */
function value(k: KeyRow): Html {
  if (k.dnsError) return html`<em>${k.dnsError}</em>`;
  const short = k.value.replace(/(p=[A-Za-z0-9+/=]{12})[A-Za-z0-9+/=\s]{8,}/, '$1…');
  if (short === k.value) return html`<code>${k.value}</code>`;
  return html`<details><summary><code>${short}</code></summary><code class="full">${k.value}</code></details>`;
}

export function keysPage(d: KeysData, twins: { label: string; href: string }[]): Html {
  const body = html`<h1>Keys</h1>
<form class="inline" method="get" action="/-/keys"><label>domain <input name="domain" value="${d.domain ?? ''}"></label> <button>filter</button></form>
<div class="scroll"><table class="keys"><thead><tr><th>key</th><th>type and size</th><th>source</th><th>seen</th><th class="num">messages verified</th><th>other results</th><th>record</th><th>examples</th></tr></thead><tbody>
${d.keys.map(
  (k) => html`<tr id="key-${k.id}"><td><a href="/messages${queryString([['key', k.name]])}">${k.name}</a></td>
<td>${strength(k)}</td><td>${sourceLabel(k.sourceKind, k.source)}<br><span class="muted">imported ${timeTag(Math.floor(Date.parse(k.importedAt) / 1000))}</span></td><td>${seen(k)}</td>
<td class="num">${k.usage.pass ? html`<a href="/messages${queryString([['key', k.name]])}">${fmtCount(k.usage.pass)}</a>` : '0'}</td><td>${usage(k.usage)}</td><td class="value">${value(k)}</td>
<td>${k.verified.map((m) => html`<a href="/messages/${m.sha256}">${m.subject || m.sha256.slice(0, 12)}</a><br>`)}</td></tr>`,
)}
</tbody></table></div>
<p class="muted">Messages verified: signatures made with this record that passed. Sizes are read from the record's p=; under 1024 bits a key does not count (RFC 8301), under 2048 it is short.</p>
${
  d.next !== null
    ? html`<p><a href="/-/keys${queryString([
        ['domain', d.domain],
        ['_next', d.next],
      ])}">next page</a></p>`
    : ''
}
<h2>Keys the signatures needed but the key store lacks</h2>
${
  d.missing.length
    ? html`<table><thead><tr><th>key</th><th>result</th><th class="num">signatures</th></tr></thead><tbody>
${d.missing.map((m) => html`<tr><td><a href="/messages${queryString([['key', m.keyName]])}">${m.keyName}</a></td><td>${m.result}</td><td class="num">${fmtCount(m.n)}</td></tr>`)}
</tbody></table>${d.missingTotal > d.missing.length ? html`<p class="muted">${fmtCount(d.missingTotal - d.missing.length)} more; filter by domain to see them.</p>` : ''}`
    : html`<p class="muted">None.</p>`
}`;
  return layout({ title: 'Keys', section: 'keys', twins }, body);
}
