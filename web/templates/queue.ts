// The queue: the filter form (a plain GET form, so every view is a URL) and one page of messages.
import type { QueueRow } from '../../src/store/queue-repo.ts';
import type { QueueQuery } from '../../src/server/queue-query.ts';
import { html, type Html } from './html.ts';
import { VERDICT_ORDER, fmtAddress, fmtBytes, fmtCount, verdictBadge } from './format.ts';
import { layout } from './layout.ts';

export interface QueueData {
  filters: QueueQuery;
  sort: string;
  size: number;
  total: number | null;
  rows: QueueRow[];
  next: string | null;
  next_url: string | null;
  /** The query string (with `?`) that keeps this queue's filters: message links carry it. */
  context: string;
}

function checked(list: string[] | undefined, v: string): Html {
  return list?.includes(v) ? html` checked` : html``;
}

function selected(value: string | undefined, v: string): Html {
  return (value ?? '') === v ? html` selected` : html``;
}

function filterForm(f: QueueQuery, sort: string, codes: string[]): Html {
  const text = (name: keyof QueueQuery, label: string, extra: Html = html``) =>
    html`<label>${label} <input name="${name}" value="${(f[name] as string | undefined) ?? ''}"${extra}></label>`;
  return html`<form class="filters" method="get" action="/messages" role="search">
<label class="wide">search ${html`<input id="q" name="q" type="search" value="${f.q ?? ''}" placeholder="words, subject:word, from:alice, body:invoice*">`}</label>
<fieldset><legend>machine verdict</legend>${VERDICT_ORDER.map((v) => html`<label><input type="checkbox" name="verdict" value="${v}"${checked(f.verdict, v)}> ${v}</label>`)}</fieldset>
<fieldset><legend>final verdict</legend>${VERDICT_ORDER.map((v) => html`<label><input type="checkbox" name="final" value="${v}"${checked(f.final, v)}> ${v}</label>`)}</fieldset>
${text('code', 'finding code', html` list="codes"`)}
<datalist id="codes">${codes.map((c) => html`<option value="${c}"></option>`)}</datalist>
${text('domain', 'From domain')} ${text('mailbox', 'mailbox / folder')} ${text('key', 'DKIM key')}
<label>role <select name="role"><option value="">any</option>${['sent', 'inbox', 'other'].map((r) => html`<option value="${r}"${selected(f.role, r)}>${r}</option>`)}</select></label>
<label>from <input type="date" name="from" value="${f.from ?? ''}"></label>
<label>to <input type="date" name="to" value="${f.to ?? ''}"></label>
<label>signed <select name="signed"><option value="">any</option><option value="yes"${selected(f.signed, 'yes')}>yes</option><option value="no"${selected(f.signed, 'no')}>no</option></select></label>
<label>reviewed <select name="reviewed"><option value="">any</option><option value="yes"${selected(f.reviewed, 'yes')}>yes</option><option value="no"${selected(f.reviewed, 'no')}>no</option></select></label>
<label>sort <select name="_sort">
<option value="date"${selected(sort, 'date')}>date, oldest first</option><option value="-date"${selected(sort, '-date')}>date, newest first</option>
<option value="imported"${selected(sort, 'imported')}>import order</option><option value="-imported"${selected(sort, '-imported')}>latest imported first</option>
</select></label>
<button type="submit">apply</button> <a href="/messages">clear</a>
</form>`;
}

function row(r: QueueRow, context: string): Html {
  const href = `/messages/${r.sha256}${context}`;
  return html`<tr data-href="${href}" tabindex="-1">
<td class="date">${r.date_header ?? html`<span class="muted">no date</span>`}</td>
<td class="from">${fmtAddress(r.from_name, r.from_address)}</td>
<td class="subject"><a href="${href}">${r.subject || html`<span class="muted">(no subject)</span>`}</a></td>
<td>${verdictBadge(r.verdict)}</td>
<td>${r.review_verdict ? html`${verdictBadge(r.review_verdict)} <span class="muted">${r.review_decision} by ${r.reviewer}</span>` : html`<span class="muted">—</span>`}</td>
<td class="codes">${r.reasons
    .split(';')
    .filter(Boolean)
    .map((c) => html`<code>${c}</code> `)}</td>
<td class="num">${r.signature_count}</td><td class="num">${fmtBytes(r.size)}</td></tr>`;
}

export function queuePage(d: QueueData, codes: string[], twins: { label: string; href: string }[]): Html {
  const body = html`<h1>Queue</h1>
${filterForm(d.filters, d.sort, codes)}
<p class="count">${d.total === null ? 'Matching messages' : html`${fmtCount(d.total)} matching messages`} · showing ${fmtCount(d.rows.length)}
· <a href="/messages.csv${d.context}">export CSV</a> · <a href="/-/export.json${d.context}">export JSON</a></p>
<table class="queue"><thead><tr><th>date</th><th>from</th><th>subject</th><th>machine</th><th>review</th><th>reasons</th><th class="num">sigs</th><th class="num">size</th></tr></thead>
<tbody>${d.rows.map((r) => row(r, d.context))}</tbody></table>
${d.rows.length ? '' : html`<p class="muted">No message matches.</p>`}
<nav class="pager">${d.next_url ? html`<a rel="next" href="${d.next_url}">next page →</a>` : html`<span class="muted">end of the list</span>`}</nav>`;
  return layout({ title: 'Queue', section: 'queue', twins, data: { next: d.next_url } }, body);
}
