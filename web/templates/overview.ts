// The overview: the archive's shape, what was flagged, how far review has come, and the imports.
import { VERDICTS } from '../../src/model.ts';
import type { KeyCount, ReviewedCount, VerdictCounts } from '../../src/store/overview-repo.ts';
import type { QueueItem } from '../../src/store/queue-repo.ts';
import type { RunWithFailures } from '../../src/store/runs-repo.ts';
import { html, type Html } from './html.ts';
import { codeLink, fmtAddress, fmtCount, queryString, timeTag, verdictBadge } from './format.ts';
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
  /** Strong and weak findings per week of their message's Date. */
  findingWeeks: { key: string; total: number; severities: Partial<Record<'strong' | 'weak', number>> }[];
  /** The first unreviewed messages of the triage order: where a reviewer starts. */
  startHere: QueueItem[];
  /** Unreviewed messages in all. */
  unreviewed: number;
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

/**
 * A key's messages split by verdict, as a bar as wide as the key's share of the largest key, each part
 * linked to its messages (drawn with SVG attributes: inline styles are forbidden by our CSP).
 */
export function verdictBar(k: KeyCount, max: number, param: string): Html {
  let x = 0;
  const w = 240;
  const parts = VERDICTS.filter((v) => (k.verdicts[v] ?? 0) > 0).map((v) => {
    const width = ((k.verdicts[v] ?? 0) / Math.max(max, 1)) * w;
    const href = `/messages${queryString([
      [param, k.key],
      ['verdict', v],
    ])}`;
    const r = html`<a href="${href}"><title>${fmtCount(k.verdicts[v] ?? 0)} ${v}</title><rect class="v-${v}" x="${x.toFixed(1)}" y="0" width="${Math.max(width, 1).toFixed(1)}" height="14"></rect></a>`;
    x += width;
    return r;
  });
  return html`<svg class="mini" viewBox="0 0 ${w} 14" width="${w}" height="14" role="img" aria-label="${VERDICTS.map((v) => `${k.verdicts[v] ?? 0} ${v}`).join(', ')}">${parts}</svg>`;
}

/** The share of a key's messages that are tampered or suspicious, as a percentage. */
function flaggedShare(k: KeyCount): string {
  const flagged = (k.verdicts.tampered ?? 0) + (k.verdicts.suspicious ?? 0);
  return k.total ? `${Math.round((flagged / k.total) * 100)} %` : '—';
}

function keyTable(title: string, param: string, data: { rows: KeyCount[]; keys: number }, unit: string, empty: string): Html {
  const max = Math.max(...data.rows.map((r) => r.total), 1);
  const chart = param !== 'code';
  return html`<section class="half"><h2>${title}</h2>
<table class="counts breakdown"><thead><tr><th>${param}</th><th class="num">${unit}</th>${chart ? html`<th class="num" title="tampered or suspicious">flagged</th><th>verdicts</th>` : ''}</tr></thead><tbody>
${data.rows.map(
  (
    r,
  ) => html`<tr><td class="key">${param === 'code' ? codeLink(r.key) : html`<a href="/messages${queryString([[param, r.key]])}">${r.key || empty}</a>`}${param === 'code' ? html` <a class="muted" href="/messages${queryString([[param, r.key]])}">messages</a>` : ''}</td>
<td class="num">${fmtCount(r.total)}</td>${chart ? html`<td class="num">${flaggedShare(r)}</td><td>${verdictBar(r, max, param)}</td>` : ''}</tr>`,
)}
</tbody></table>
${data.keys > data.rows.length ? html`<p class="muted">${fmtCount(data.keys - data.rows.length)} more not shown (see the .json twin).</p>` : ''}
</section>`;
}

function startHereSection(d: OverviewData): Html {
  if (!d.startHere.length) {
    return html`<p class="muted">${d.total ? 'Every message has been reviewed.' : 'Nothing imported yet.'}</p>`;
  }
  return html`<ol class="start-here">${d.startHere.map(
    (
      m,
    ) => html`<li>${verdictBadge(m.verdict)} <a href="/messages/${m.sha256}?reviewed=no"><strong>${m.subject || '(no subject)'}</strong></a>
<span class="muted">${fmtAddress(m.fromName, m.fromAddress)} · ${m.dateEpoch !== null ? timeTag(m.dateEpoch) : 'no date'}</span>
<div class="summary-line">${m.summary}</div></li>`,
  )}</ol>
<p><a href="/messages?reviewed=no">All ${fmtCount(d.unreviewed)} unreviewed messages, weightiest evidence first →</a></p>`;
}

export function overviewPage(d: OverviewData, twins: { label: string; href: string }[]): Html {
  const weeks = d.weeks.map((w) => ({ key: w.key, total: w.total, parts: w.verdicts }));
  const findings = d.findingWeeks.map((w) => ({ key: w.key, total: w.total, parts: w.severities }));
  const body = html`<h1>Overview</h1>
${d.running ? html`<p class="notice">An import is running: these figures show what has landed so far; this page reloads every 10 s.</p>` : ''}
<section class="start"><h2>Start here</h2>
<p class="muted">The unreviewed messages with the weightiest evidence: tampered first, then suspicious; strong findings before weak ones.</p>
${startHereSection(d)}</section>
<section><h2>Verdicts</h2>${verdictTable(d)}
<p class="legend">${VERDICTS.map((v) => html`<span class="swatch v-${v}"></span>${v} `)}</p></section>
<section><h2>Messages over time</h2>${timelineChart(weeks, { series: VERDICTS, cls: 'v-', noun: 'messages', colouredBy: 'coloured by machine verdict' })}</section>
<section><h2>Findings over time</h2>${timelineChart(findings, { series: ['strong', 'weak'], cls: 'sev-', noun: 'findings', colouredBy: 'strong and weak findings (a burst stands out)' })}
<p class="legend"><span class="swatch sev-strong"></span>strong <span class="swatch sev-weak"></span>weak</p></section>
<div class="columns">
${keyTable('Verdicts per From domain', 'domain', d.domains, 'messages', '(no domain)')}
${keyTable('Verdicts per mailbox or folder', 'mailbox', d.mailboxes, 'copies', '(none)')}
</div>
${keyTable('Finding codes', 'code', d.codes, 'findings', '')}
<section><h2>Imports</h2>${runsSection(d.runs, true)}</section>`;
  return layout({ title: 'Overview', section: 'overview', twins, refresh: d.running ? 10 : undefined }, body);
}
