// One message: the verdict and its evidence, the review form and history, the bodies and the bytes.
import type { MessageView } from '../../src/server/message-view.ts';
import { html, type Html } from './html.ts';
import { VERDICTS } from '../../src/model.ts';
import { codeLink, fmtAddress, fmtBytes, timeTag, verdictBadge } from './format.ts';
import { layout } from './layout.ts';
import {
  arcSection,
  attachmentsSection,
  copiesSection,
  findingsSection,
  headersSection,
  htmlReferencesSection,
  receivedSection,
  signaturesSection,
  sourcesSection,
} from './message-sections.ts';

/** Where the as-of time came from, in words (the top Received hop, else the earliest DKIM t=, else Date). */
const AS_OF_SOURCE: Record<string, string> = {
  received: 'the time of the top Received hop',
  'dkim-t': 'the earliest DKIM t=, for want of a Received time',
  date: 'the Date header, for want of a Received time or DKIM t=',
  import: 'the import time: the message has no time of its own',
};

export interface MessagePageContext {
  csrf: string;
  /** The queue's query string (with `?`, or ''): kept on every link and through the review. */
  context: string;
  reviewer: string;
  twins: { label: string; href: string }[];
  /** The message's downloads: its raw bytes, and what other parts of the server offer (an evidence bundle). */
  downloads: { label: string; href: string; id: string }[];
}

function reviewSection(v: MessageView, c: MessagePageContext): Html {
  const m = v.message;
  return html`<section id="review" class="review"><h2>Review</h2>
${
  v.reviews.length
    ? html`<ol class="history">${v.reviews.map(
        (r) =>
          html`<li>${timeTag(Math.floor(Date.parse(r.createdAt) / 1000))} <strong>${r.reviewer}</strong> ${r.decision === 'confirm' ? 'confirmed' : 'overrode to'} ${verdictBadge(r.verdict)}${r.note ? html` — ${r.note}` : ''}</li>`,
      )}</ol>`
    : html`<p class="muted">Not reviewed yet.</p>`
}
<form id="review-form" method="post" action="/messages/${m.sha256}/reviews">
<input type="hidden" name="_csrf" value="${c.csrf}">
<input type="hidden" name="_queue" value="${c.context.replace(/^\?/, '')}">
<fieldset><legend>decision</legend>
<label><input type="radio" name="decision" value="confirm" id="decision-confirm" checked> confirm the machine verdict (${m.verdict})</label>
<label><input type="radio" name="decision" value="override" id="decision-override"> override to
<select name="verdict" id="override-verdict"><option value="">choose…</option>${VERDICTS.filter((v) => v !== m.verdict).map((v) => html`<option value="${v}">${v}</option>`)}</select></label>
</fieldset>
<label class="wide">note <textarea name="note" id="note" rows="2" maxlength="4000" placeholder="why (required for an override)"></textarea></label>
<label>reviewer <input name="reviewer" id="reviewer" required maxlength="100" value="${c.reviewer}" autocomplete="name"></label>
<label><input type="checkbox" name="_then" value="next"${v.queue.next ? html` checked` : html` disabled`}> then open the next message</label>
<button type="submit" id="review-submit">record decision</button>
</form></section>`;
}

/** After a decision: what was recorded, and where the queue goes on from here. */
function recordedNotice(v: MessageView, c: MessagePageContext): Html {
  const r = v.recorded;
  if (!r) return html``;
  const what = html`${r.decision === 'confirm' ? 'confirmed' : 'overrode to'} ${verdictBadge(r.verdict)}`;
  const here = r.sha256 === v.message.sha256;
  const about = here ? 'this message' : html`<a href="/messages/${r.sha256}${c.context}">${r.subject || r.sha256.slice(0, 12)}</a>`;
  const onward = !here
    ? html`Below is the next message of the queue.`
    : v.queue.next
      ? html`Next in the queue: <a rel="next" href="/messages/${v.queue.next}${c.context}">the next message →</a>`
      : html`That was the last message of this queue. <a href="/messages${c.context}">Back to the queue</a>.`;
  return html`<p id="recorded" class="notice recorded" role="status">Recorded: <strong>${r.reviewer}</strong> ${what} for ${about}. ${onward}</p>`;
}

export function messagePage(v: MessageView, c: MessagePageContext): Html {
  const m = v.message;
  const link = (sha: string | null, label: string, rel: string) =>
    sha ? html`<a rel="${rel}" href="/messages/${sha}${c.context}">${label}</a>` : html`<span class="muted">${label}</span>`;
  const body = html`<nav class="pager">${link(v.queue.prev, '← previous', 'prev')} · <a href="/messages${c.context}">queue</a> · ${link(v.queue.next, 'next →', 'next')}</nav>
${recordedNotice(v, c)}
<h1>${m.subject || html`<span class="muted">(no subject)</span>`}</h1>
<dl class="facts">
<dt>From</dt><dd>${fmtAddress(m.fromName, m.fromAddress)}</dd>
<dt>To / Cc</dt><dd>${m.toAddresses ?? '—'}</dd>
<dt>Date</dt><dd>${m.dateEpoch !== null ? html`${timeTag(m.dateEpoch)} <span class="muted">as written: ${m.dateHeader}</span>` : (m.dateHeader ?? '—')}</dd>
<dt>Message-ID</dt><dd>${m.messageId ?? '—'}${m.messageId || m.inReplyTo ? html` · <a href="/messages/${m.sha256}/thread">thread</a>` : ''}</dd>
<dt>SHA-256</dt><dd><span class="hash">${m.sha256}</span> · ${fmtBytes(m.size)}</dd>
<dt>Download</dt><dd>${c.downloads.map((d, i) => html`${i ? ' · ' : ''}<a id="${d.id}" href="${d.href}" download>${d.label}</a>`)}</dd>
</dl>
<section class="verdict v-${m.verdict}"><h2>${verdictBadge(m.verdict)} machine verdict</h2>
<p class="summary">${m.summary}</p>
<p>Verified as of ${timeTag(m.asOf)} (${AS_OF_SOURCE[m.asOfSource] ?? m.asOfSource}); ${m.verifierVersion}.</p>
${m.reasons.length ? html`<p>Reasons: ${m.reasons.map((r) => html`${codeLink(r)} `)}</p>` : ''}
<p><a href="#review">Review this message ↓</a> <span class="muted">(keys <kbd>c</kbd> confirm, <kbd>o</kbd> override)</span></p></section>
<section><h2>Findings</h2>${findingsSection(v)}</section>
<section><h2>DKIM signatures</h2>${signaturesSection(v)}<h3>ARC</h3>${arcSection(v)}</section>
<section><h2>Received hops</h2>${receivedSection(v)}</section>
<section><h2>Other copies with this Message-ID</h2>${copiesSection(v)}</section>
${reviewSection(v, c)}
<section><h2>Attachments</h2>${attachmentsSection(v)}</section>
<section><h2>Text body</h2>${m.bodyText !== null ? html`<pre class="body">${m.bodyText}</pre>` : html`<p class="muted">No text part.</p>`}</section>
<section><h2>HTML body</h2>${
    m.hasHtml
      ? html`<p class="muted">Shown without scripts and without loading anything (remote images, styles and fonts are blocked; links do not open).</p>
<iframe class="html-body" sandbox src="/messages/${m.sha256}/html" title="HTML body (sandboxed)" referrerpolicy="no-referrer"></iframe>
${htmlReferencesSection(v)}`
      : html`<p class="muted">No HTML part.</p>`
  }</section>
<section><h2>Found at</h2>${sourcesSection(v)}</section>
<section><h2>Headers as in the bytes</h2>${headersSection(v)}</section>`;
  const data = {
    next: v.queue.next ? `/messages/${v.queue.next}${c.context}` : null,
    prev: v.queue.prev ? `/messages/${v.queue.prev}${c.context}` : null,
    raw: `/messages/${m.sha256}/raw`,
    queue: `/messages${c.context}`,
  };
  return layout({ title: m.subject || m.sha256.slice(0, 12), section: 'message', twins: c.twins, data }, body);
}
