// A conversation: who wrote what when, each message with its verdict, linked to the one it answers.
import type { ThreadView } from '../../src/server/thread-view.ts';
import { html, type Html } from './html.ts';
import { fmtAddress, timeTag, verdictBadge } from './format.ts';
import { layout } from './layout.ts';

export function threadPage(v: ThreadView, twins: { label: string; href: string }[]): Html {
  const subjectOf = new Map(v.nodes.map((n) => [n.message.sha256, n.message.subject || n.message.sha256.slice(0, 12)]));
  const focus = v.nodes.find((n) => n.message.sha256 === v.focus);
  const flagged = v.nodes.filter((n) => n.message.verdict === 'tampered' || n.message.verdict === 'suspicious').length;
  const body = html`<nav class="pager"><a href="/messages/${v.focus}">← back to the message</a></nav>
<h1>Thread: ${focus?.message.subject || '(no subject)'}</h1>
<p class="muted">${v.nodes.length} message${v.nodes.length === 1 ? '' : 's'}${flagged ? html`, <strong class="warn">${flagged} tampered or suspicious</strong>` : ''}${v.copies ? html`, ${v.copies} of them copies of another (same Message-ID)` : ''}. Built from Message-ID, In-Reply-To and References; indented under the message each one answers, oldest first.${v.truncated ? html` <strong>The thread is cut at ${v.nodes.length} messages.</strong>` : ''}</p>
<ol class="thread">${v.nodes.map(
    (
      n,
    ) => html`<li class="thread-item depth-${Math.min(n.depth, 8)}${n.message.sha256 === v.focus ? ' focus' : ''}" id="m-${n.message.sha256}">
<div class="thread-head">${verdictBadge(n.message.verdict)} <a href="/messages/${n.message.sha256}"><strong>${n.message.subject || '(no subject)'}</strong></a></div>
<div class="thread-meta"><strong>${fmtAddress(n.message.fromName, n.message.fromAddress)}</strong> · ${n.message.dateEpoch !== null ? timeTag(n.message.dateEpoch) : html`<span class="muted">no usable date</span>`}
${
  n.missingParent
    ? html` · answers <span class="muted">${n.missingParent} (not in the dump)</span>${n.parent ? html`, in the thread of <a href="#m-${n.parent}">${subjectOf.get(n.parent)}</a>` : ''}`
    : n.parent
      ? html` · answers <a href="#m-${n.parent}">${subjectOf.get(n.parent)}</a>`
      : html` · <span class="muted">starts the thread</span>`
}
${n.beforeParent ? html` · <strong class="warn">dated before the message it answers</strong>` : ''}</div>
${n.excerpt ? html`<p class="excerpt">${n.excerpt}</p>` : ''}
<div class="summary-line">${n.message.summary}</div></li>`,
  )}</ol>`;
  return layout({ title: `Thread: ${focus?.message.subject || v.focus.slice(0, 12)}`, section: 'thread', twins }, body);
}
