// The checks and the finding codes they can emit, with how often each code occurs in this database.
import type { CodeDoc } from '../../src/model.ts';
import { html, type Html } from './html.ts';
import { fmtCount, queryString } from './format.ts';
import { layout } from './layout.ts';

export interface ChecksData {
  registry: boolean;
  checks: { id: string; title: string; codes: (CodeDoc & { code: string; findings: number })[] }[];
  /** Codes found in the database that no registered check declares (archive checks, older versions). */
  otherCodes: { code: string; findings: number }[];
}

export function checksPage(d: ChecksData, twins: { label: string; href: string }[]): Html {
  const code = (c: string, n: number) =>
    html`<a href="/messages${queryString([['code', c]])}"><code>${c}</code></a> <span class="muted">(${fmtCount(n)})</span>`;
  const body = html`<h1>Checks</h1>
${d.registry ? '' : html`<p class="notice">This build has no check registry (src/checks/index.ts); the codes below are those found in the database.</p>`}
${d.checks.map(
  (
    c,
  ) => html`<section><h2><code>${c.id}</code> ${c.title}</h2><table><thead><tr><th>code</th><th>severity</th><th>meaning</th></tr></thead><tbody>
${c.codes.map((x) => html`<tr id="code-${x.code}"><td>${code(x.code, x.findings)}</td><td class="sev-${x.severity}">${x.severity}</td><td>${x.meaning}</td></tr>`)}
</tbody></table></section>`,
)}
${
  d.otherCodes.length
    ? html`<section><h2>Other codes in this database</h2><ul>${d.otherCodes.map((c) => html`<li id="code-${c.code}">${code(c.code, c.findings)}</li>`)}</ul></section>`
    : ''
}`;
  return layout({ title: 'Checks', section: 'checks', twins }, body);
}
