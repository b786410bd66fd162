// The key store: every DKIM key record, where it came from, and what it verified.
import type { KeysPage } from '../../src/store/keys-page-repo.ts';
import { html, type Html } from './html.ts';
import { formatTime } from '../../src/common/time.ts';
import { fmtCount, queryString } from './format.ts';
import { layout } from './layout.ts';

function usage(u: Record<string, number>): Html {
  const entries = Object.entries(u);
  if (!entries.length) return html`<span class="muted">unused</span>`;
  return html`${entries.map(([r, n]) => html`<span class="usage r-${r}">${r} ${fmtCount(n)}</span> `)}`;
}

export function keysPage(d: KeysPage & { domain: string | null }, twins: { label: string; href: string }[]): Html {
  const body = html`<h1>Keys</h1>
<form class="inline" method="get" action="/-/keys"><label>domain <input name="domain" value="${d.domain ?? ''}"></label> <button>filter</button></form>
<table class="keys"><thead><tr><th>key</th><th>source</th><th>first seen</th><th>last seen</th><th>fetched</th><th>imported</th><th>value</th><th>signatures</th><th>verified (examples)</th></tr></thead><tbody>
${d.keys.map(
  (k) => html`<tr id="key-${k.id}"><td><a href="/messages${queryString([['key', k.name]])}">${k.name}</a></td>
<td>${k.sourceKind}: ${k.source}</td><td>${formatTime(k.firstSeen, 'readable')}</td><td>${formatTime(k.lastSeen, 'readable')}</td><td>${formatTime(k.fetchedAt, 'readable')}</td>
<td>${k.importedAt}</td><td class="value">${k.dnsError ? html`<em>${k.dnsError}</em>` : k.value}</td><td>${usage(k.usage)}</td>
<td>${k.verified.map((m) => html`<a href="/messages/${m.sha256}">${m.subject || m.sha256.slice(0, 12)}</a><br>`)}</td></tr>`,
)}
</tbody></table>
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
