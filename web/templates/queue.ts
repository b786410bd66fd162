// The queue: the filter form (a plain GET form, so every view is a URL) and one page of messages.
import { VERDICTS } from '../../src/model.ts';
import { DEFAULT_QUEUE_SORT, type QueueItem } from '../../src/store/queue-repo.ts';
import { queueQueryString, type QueueQuery } from '../../src/server/queue-query.ts';
import { html, type Html } from './html.ts';
import { codeLink, fmtAddress, fmtBytes, fmtCount, timeTag, verdictBadge } from './format.ts';
import { layout } from './layout.ts';

export interface QueueData {
  filters: QueueQuery;
  sort: string;
  size: number;
  /** Matching messages; with `totalCapped`, at least this many. */
  total: number | null;
  totalCapped: boolean;
  /** Row number of the first row shown (1-based), when the links that led here counted it. */
  pos: number | null;
  rows: QueueItem[];
  /** The message the next page starts after (null on the last page). */
  next: string | null;
  nextUrl: string | null;
  prevUrl: string | null;
  /** The first page of this queue, null when this is it. */
  firstUrl: string | null;
  /** The query string (with `?`) that keeps this queue's filters: message links carry it. */
  context: string;
}

/** The columns of the queue and the order each header sorts by. */
const COLUMNS: { label: string; sort: string; cls?: string; title: string }[] = [
  { label: 'date', sort: 'date', cls: 'date', title: 'the Date header' },
  { label: 'from', sort: 'from', title: 'the From address' },
  { label: 'subject and summary', sort: 'subject', title: 'the subject' },
  {
    label: 'verdict',
    sort: 'triage',
    title: 'the weight of the evidence: tampered, suspicious, unverifiable, verified; strong findings first',
  },
  { label: 'reasons', sort: 'reasons', title: 'the reason codes' },
  { label: 'sigs', sort: 'sigs', cls: 'num', title: 'the number of DKIM signatures' },
  { label: 'size', sort: 'size', cls: 'num', title: 'the size of the message' },
];

const SORT_NAMES: Record<string, string> = {
  triage: 'weightiest evidence first',
  '-triage': 'weakest evidence first',
  date: 'date, oldest first',
  '-date': 'date, newest first',
  imported: 'import order',
  '-imported': 'latest imported first',
  from: 'From, A–Z',
  '-from': 'From, Z–A',
  subject: 'subject, A–Z',
  '-subject': 'subject, Z–A',
  reasons: 'reason codes, A–Z',
  '-reasons': 'reason codes, Z–A',
  sigs: 'fewest signatures first',
  '-sigs': 'most signatures first',
  size: 'smallest first',
  '-size': 'largest first',
};

function checked(list: string[] | undefined, v: string): Html {
  return list?.includes(v) ? html` checked` : html``;
}

function selected(value: string | undefined, v: string): Html {
  return (value ?? '') === v ? html` selected` : html``;
}

function filterForm(f: QueueQuery, sort: string, codes: string[]): Html {
  const text = (name: keyof QueueQuery, label: string, extra: Html = html``) =>
    html`<label>${label} <input name="${name}" value="${(f[name] as string | undefined) ?? ''}"${extra}></label>`;
  const active = Object.keys(f).some((k) => k !== '_sort');
  return html`<details class="filter-box" open data-active="${active ? 'yes' : 'no'}"><summary>Filters and order</summary><form class="filters" method="get" action="/messages" role="search">
<label class="wide">search ${html`<input id="q" name="q" type="search" value="${f.q ?? ''}" placeholder="words, subject:word, from:alice, body:invoice*">`}</label>
<fieldset><legend>machine verdict</legend>${VERDICTS.map((v) => html`<label><input type="checkbox" name="verdict" value="${v}"${checked(f.verdict, v)}> ${v}</label>`)}</fieldset>
<fieldset><legend>final verdict</legend>${VERDICTS.map((v) => html`<label><input type="checkbox" name="final" value="${v}"${checked(f.final, v)}> ${v}</label>`)}</fieldset>
${text('code', 'finding code', html` list="codes"`)}
<datalist id="codes">${codes.map((c) => html`<option value="${c}"></option>`)}</datalist>
${text('domain', 'From domain')} ${text('mailbox', 'mailbox / folder')} ${text('key', 'DKIM key')}
<label>role <select name="role"><option value="">any</option>${['sent', 'inbox', 'other'].map((r) => html`<option value="${r}"${selected(f.role, r)}>${r}</option>`)}</select></label>
<label>from <input type="date" name="from" value="${f.from ?? ''}"></label>
<label>to <input type="date" name="to" value="${f.to ?? ''}"></label>
<label>signed <select name="signed"><option value="">any</option><option value="yes"${selected(f.signed, 'yes')}>yes</option><option value="no"${selected(f.signed, 'no')}>no</option></select></label>
<label>found in <select name="role"><option value="">any mailbox</option>${['sent', 'inbox', 'other'].map((r) => html`<option value="${r}"${selected(f.role, r)}>${r}</option>`)}</select></label>
<label>reviewed <select name="reviewed"><option value="">any</option><option value="yes"${selected(f.reviewed, 'yes')}>yes</option><option value="no"${selected(f.reviewed, 'no')}>no</option></select></label>
<label>sort <select name="_sort">${Object.entries(SORT_NAMES).map(
    ([value, name]) => html`<option value="${value === DEFAULT_QUEUE_SORT ? '' : value}"${selected(sort, value)}>${name}</option>`,
  )}</select></label>
<button type="submit">apply</button> <a href="/messages">clear</a>
</form></details>`;
}

/** A column header that sorts by its column, and the other way round when it already does. */
function header(c: (typeof COLUMNS)[number], d: QueueData): Html {
  const active = d.sort === c.sort ? 'asc' : d.sort === `-${c.sort}` ? 'desc' : null;
  const target = active === 'asc' ? `-${c.sort}` : c.sort;
  const params: QueueQuery = { ...d.filters, _sort: target === DEFAULT_QUEUE_SORT ? undefined : target };
  const size = d.size !== 50 ? { _size: d.size } : {};
  const arrow = active === 'asc' ? ' ▲' : active === 'desc' ? ' ▼' : '';
  const sortState = active === 'asc' ? 'ascending' : active === 'desc' ? 'descending' : null;
  return html`<th${c.cls ? html` class="${c.cls}"` : ''}${sortState ? html` aria-sort="${sortState}"` : ''}><a href="/messages${queueQueryString(params, size)}" title="sort by ${c.title}">${c.label}${arrow}</a></th>`;
}

function row(r: QueueItem, context: string): Html {
  const href = `/messages/${r.sha256}${context}`;
  return html`<tr data-href="${href}" tabindex="-1">
<td class="date" data-label="date">${r.dateEpoch !== null ? timeTag(r.dateEpoch) : html`<span class="muted">${r.dateHeader ?? 'no date'}</span>`}</td>
<td class="from" data-label="from">${fmtAddress(r.fromName, r.fromAddress)}</td>
<td class="roles" data-label="found in">${r.roles.length ? r.roles.join(', ') : html`<span class="muted">—</span>`}</td>
<td class="subject" data-label="subject"><a href="${href}">${r.subject || html`<span class="muted">(no subject)</span>`}</a><div class="summary-line">${r.summary}</div></td>
<td class="verdict" data-label="verdict">${verdictBadge(r.verdict)}${r.review ? html`<div class="review-line">${r.review.decision === 'confirm' ? 'confirmed' : html`→ ${verdictBadge(r.review.verdict)}`} <span class="muted">by ${r.review.reviewer}</span></div>` : ''}</td>
<td class="codes" data-label="reasons">${r.reasons.map((c) => html`${codeLink(c)} `)}</td>
<td class="num" data-label="sigs">${r.signatureCount}</td><td class="num" data-label="size">${fmtBytes(r.size)}</td></tr>`;
}

/** "51–66 of 66", or as much of it as is known. */
function rangeText(d: QueueData): Html {
  const total = d.total === null ? null : `${d.totalCapped ? 'more than ' : ''}${fmtCount(d.total)}`;
  if (!d.rows.length) return html`${total === null ? 'No' : total} matching message${d.total === 1 ? '' : 's'}`;
  const range = d.pos !== null ? `${fmtCount(d.pos)}–${fmtCount(d.pos + d.rows.length - 1)}` : `${fmtCount(d.rows.length)}`;
  const uncounted = html` <span class="muted" title="counting these would mean testing every message of the archive">(total not counted)</span>`;
  return html`<strong>${range}</strong>${total !== null ? html` of <strong>${total}</strong>` : ''} matching messages${total === null ? uncounted : ''}`;
}

function pager(d: QueueData, where: string): Html {
  const link = (href: string | null, label: string, rel: string) =>
    href ? html`<a rel="${rel}" href="${href}">${label}</a>` : html`<span class="muted">${label}</span>`;
  return html`<nav class="pager" aria-label="pages ${where}">${link(d.firstUrl, '« first', 'first')} ${link(d.prevUrl, '‹ previous', 'prev')}
<span class="range">${rangeText(d)}</span> ${link(d.nextUrl, 'next ›', 'next')}</nav>`;
}

export function queuePage(d: QueueData, codes: string[], twins: { label: string; href: string }[]): Html {
  const body = html`<h1>Queue</h1>
${filterForm(d.filters, d.sort, codes)}
${pager(d, 'above')}
<p class="count muted">sorted by ${SORT_NAMES[d.sort] ?? d.sort} · <a href="/messages.csv${d.context}">export CSV</a> · <a href="/-/export.json${d.context}">export JSON</a></p>
<table class="queue"><thead><tr>${COLUMNS.map((c) => html`${header(c, d)}${c.sort === 'from' ? html`<th title="the roles of the mailboxes its copies were found in (a message can have several: not sortable)">found in</th>` : ''}`)}</tr></thead>
<tbody>${d.rows.map((r) => row(r, d.context))}</tbody></table>
${d.rows.length ? '' : html`<p class="muted">No message matches.</p>`}
${pager(d, 'below')}`;
  return layout({ title: 'Queue', section: 'queue', twins, data: { next: d.nextUrl, prev: d.prevUrl } }, body);
}
