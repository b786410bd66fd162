// The overview: the archive's shape, what was flagged, how far review has come, and the imports.
import { VERDICTS } from '../../src/model.ts';
import type { KeyCount, ReviewedCount, VerdictCounts } from '../../src/store/overview-repo.ts';
import type { RunWithFailures } from '../../src/store/runs-repo.ts';
import { html, type Html } from './html.ts';
import { fmtCount, queryString, verdictBadge } from './format.ts';
import { layout } from './layout.ts';
import { timelineChart } from './timeline-chart.ts';
import { runsSection } from './imports.ts';

export interface OverviewData {
  total: number;
  machine: VerdictCounts;
  /** Final verdicts: the latest review's where there is one, else the machine's. */
  final: VerdictCounts;
  reviewed: { total: number; changed: number; counts: ReviewedCount[] };
  domains: { rows: KeyCount[]; keys: number };
  mailboxes: { rows: KeyCount[]; keys: number };
  codes: { rows: KeyCount[]; keys: number };
  weeks: KeyCount[];
  runs: RunWithFailures[];
  running: boolean;
}

function verdictTable(d: OverviewData): Html {
  return html`<table class="counts">
<thead><tr><th>verdict</th><th class="num">machine</th><th class="num">final (after review)</th><th></th></tr></thead>
<tbody>${VERDICTS.map(
    (v) => html`<tr><td>${verdictBadge(v)}</td>
<td class="num"><a href="/messages${queryString([['verdict', v]])}">${fmtCount(d.machine[v] ?? 0)}</a></td>
<td class="num"><a href="/messages${queryString([['final', v]])}">${fmtCount(d.final[v] ?? 0)}</a></td>
<td><a href="/messages${queryString([
      ['verdict', v],
      ['reviewed', 'no'],
    ])}">not yet reviewed</a></td></tr>`,
  )}</tbody>
<tfoot><tr><th>all</th><td class="num"><a href="/messages">${fmtCount(d.total)}</a></td>
<td class="num"><a href="/messages?reviewed=yes">${fmtCount(d.reviewed.total)}</a> reviewed, ${fmtCount(d.reviewed.changed)} overridden</td><td></td></tr></tfoot>
</table>`;
}

/** A bar split by verdict, drawn with SVG attributes (inline styles are forbidden by our CSP). */
export function verdictBar(k: KeyCount, max: number): Html {
  let x = 0;
  const w = 200;
  const parts = VERDICTS.map((v) => {
    const width = ((k.verdicts[v] ?? 0) / Math.max(max, 1)) * w;
    const r = html`<rect class="v-${v}" x="${x.toFixed(1)}" y="0" width="${width.toFixed(1)}" height="12"></rect>`;
    x += width;
    return r;
  });
  return html`<svg class="mini" viewBox="0 0 ${w} 12" width="${w}" height="12" aria-hidden="true">${parts}</svg>`;
}

function keyTable(title: string, param: string, data: { rows: KeyCount[]; keys: number }, unit: string, empty: string): Html {
  const max = Math.max(...data.rows.map((r) => r.total), 1);
  return html`<section class="half"><h2>${title}</h2>
<table class="counts"><thead><tr><th>${param}</th><th class="num">${unit}</th><th></th></tr></thead><tbody>
${data.rows.map(
  (r) => html`<tr><td class="key"><a href="/messages${queryString([[param, r.key]])}">${r.key || empty}</a></td>
<td class="num">${fmtCount(r.total)}</td><td>${param === 'code' ? '' : verdictBar(r, max)}</td></tr>`,
)}
</tbody></table>
${data.keys > data.rows.length ? html`<p class="muted">${fmtCount(data.keys - data.rows.length)} more not shown (see the .json twin).</p>` : ''}
</section>`;
}

export function overviewPage(d: OverviewData, twins: { label: string; href: string }[]): Html {
  const body = html`<h1>Overview</h1>
${d.running ? html`<p class="notice">An import is running: these figures show what has landed so far; this page reloads every 10 s.</p>` : ''}
<section><h2>Verdicts</h2>${verdictTable(d)}
<p class="legend">${VERDICTS.map((v) => html`<span class="swatch v-${v}"></span>${v} `)}</p></section>
<section><h2>Timeline</h2>${timelineChart(d.weeks)}</section>
<div class="columns">
${keyTable('From domains', 'domain', d.domains, 'messages', '(no domain)')}
${keyTable('Mailboxes and folders', 'mailbox', d.mailboxes, 'copies', '(none)')}
</div>
${keyTable('Finding codes', 'code', d.codes, 'findings', '')}
<section><h2>Imports</h2>${runsSection(d.runs, true)}</section>`;
  return layout({ title: 'Overview', section: 'overview', twins, refresh: d.running ? 10 : undefined }, body);
}
