// The evidence sections of the message page. Every value here comes from the dump.
import type { MessageView } from '../../src/server/message-view.ts';
import { html, type Html } from './html.ts';
import type { DocumentMetadata } from '../../src/model.ts';
import type { LineDiff } from '../../src/common/line-diff.ts';
import { formatDuration } from '../../src/common/time.ts';
import { codeLink, fmtBytes, timeTag, verdictBadge, yesNo } from './format.ts';
import { evidenceFields } from './evidence.ts';

export function findingsSection(v: MessageView): Html {
  if (!v.findings.length) return html`<p class="muted">No finding.</p>`;
  const order = { strong: 0, weak: 1, info: 2 } as const;
  const sorted = [...v.findings].sort((a, b) => order[a.severity] - order[b.severity]);
  return html`<ol class="findings">${sorted.map(
    (
      f,
    ) => html`<li class="finding sev-${f.severity}-box"><p><span class="sev sev-${f.severity}">${f.severity}</span> ${codeLink(f.code)} <span class="muted">(${f.check})</span></p>
<p class="detail">${f.detail}</p>${evidenceFields(f.evidence)}</li>`,
  )}</ol>`;
}

function coverage(s: MessageView['signatures'][number]): Html {
  const l = s.bodyLength === null ? 'whole body (no l=)' : `l=${s.bodyLength}`;
  return html`${l}${s.unsignedBodyBytes ? html`<br><strong class="warn">${s.unsignedBodyBytes} bytes after l= unsigned</strong>` : ''}<br>body hash ${s.bodyHash}<br>header signature ${s.headerSignature}${s.keyMade === 'unknown' ? '' : html`<br>made with the stored key: ${s.keyMade}`}`;
}

export function signaturesSection(v: MessageView): Html {
  if (!v.signatures.length) return html`<p class="muted">No DKIM-Signature header.</p>`;
  return html`<div class="scroll"><table class="signatures"><thead><tr><th>#</th><th>d=</th><th>s=</th><th>algorithm</th><th>key</th>
<th>key source</th><th>signed headers (h=)</th><th>body coverage</th><th>t= / x=</th><th>aligned</th><th>result</th><th>comment</th></tr></thead><tbody>
${v.signatures.map(
  (
    s,
  ) => html`<tr><td>${s.index}</td><td>${s.domain}</td><td>${s.selector}</td><td>${s.algorithm}<br><span class="muted">${s.canonicalization}</span></td>
<td>${s.keyType ?? '—'} ${s.keyBits ? `${s.keyBits} bits` : ''}${s.keyRevoked ? html`<br><strong class="warn">revoked</strong>` : ''}</td>
<td>${s.keyName}<br><span class="muted">${s.keySource ?? 'no key found'}</span>${s.keyError ? html`<br><em>${s.keyError}</em>` : ''}</td>
<td class="hlist">${s.signedHeaders.join(' : ')}</td><td>${coverage(s)}</td>
<td>${timeTag(s.signTime)}<br>${timeTag(s.expiresAt)}</td><td>${yesNo(s.aligned)}</td>
<td class="result r-${s.result}">${s.result}</td><td>${s.comment}</td></tr>`,
)}</tbody></table></div>`;
}

export function arcSection(v: MessageView): Html {
  const a = v.arc;
  return html`<p>ARC chain: <span class="result r-${a.result}">${a.result}</span>, ${a.instances} set(s). ${a.comment}</p>
${
  a.seals.length
    ? html`<table><thead><tr><th>i=</th><th>d=</th><th>s=</th><th>result</th></tr></thead><tbody>
${a.seals.map((s) => html`<tr><td>${s.instance}</td><td>${s.domain}</td><td>${s.selector}</td><td>${s.result}</td></tr>`)}</tbody></table>`
    : ''
}`;
}

export function receivedSection(v: MessageView): Html {
  const { origin, hops } = v.received;
  if (!hops.length) return html`<p class="muted">No Received header.</p>`;
  return html`<ol class="hops">
<li class="origin"><span class="time">${timeTag(origin)}</span> Date header (written by the sender's software)</li>
${hops.map(
  (h) => html`<li${h.delay !== null && h.delay < 0 ? html` class="backwards"` : ''}>
<span class="delay">${h.delay === null ? '?' : `+${formatDuration(h.delay, 'words')}`}</span>
<span class="time">${timeTag(h.epoch)}</span> from <strong>${h.from ?? '?'}</strong> by <strong>${h.by ?? '?'}</strong>
<span class="muted">(header ${h.index})</span>${h.delay !== null && h.delay < 0 ? html` <strong class="warn">earlier than the previous step</strong>` : ''}</li>`,
)}</ol>`;
}

/** What an office document or PDF says about itself (filled in where the store reads it). */
function documentTable(d: DocumentMetadata): Html {
  const rows: [string, Html | string | null][] = [
    ['format', d.format],
    ['title', d.title],
    ['author', d.author],
    ['last modified by', d.lastModifiedBy],
    ['application', d.application],
    ['producer', d.producer],
    ['company', d.company],
    ['language', d.language],
    ['created', d.created !== null ? timeTag(d.created) : null],
    ['modified', d.modified !== null ? timeTag(d.modified) : null],
    ['time zone', d.timesWithoutZone ? 'not recorded: read as UTC' : null],
    ['revision', d.revision !== null ? String(d.revision) : null],
    ['template', d.template],
  ];
  return html`<dl class="evidence document">${rows
    .filter((r) => r[1] !== null)
    .map(
      ([k, x]) => html`<dt>${k}</dt><dd>${x}</dd>`,
    )}${d.problems.length ? html`<dt>not read</dt><dd>${d.problems.join('; ')}</dd>` : ''}</dl>`;
}

export function attachmentsSection(v: MessageView): Html {
  if (!v.attachments.length) return html`<p class="muted">No attachment.</p>`;
  return html`<div class="scroll"><table class="attachments"><thead><tr><th>#</th><th>name</th><th>type</th><th class="num">size</th><th>SHA-256</th><th></th></tr></thead><tbody>
${v.attachments.map((a) => {
  const doc = v.documents.find((d) => d.idx === a.index)?.document ?? null;
  return html`<tr><td>${a.index}</td><td>${a.filename ?? html`<span class="muted">(no name)</span>`}</td><td>${a.contentType}</td>
<td class="num">${fmtBytes(a.size)}</td><td class="hash">${a.sha256}</td>
<td><a href="/messages/${v.message.sha256}/attachments/${a.index}" download>download</a></td></tr>
${doc ? html`<tr class="document-row"><td></td><td colspan="5"><strong>What the document says about itself</strong>${documentTable(doc)}</td></tr>` : ''}`;
})}</tbody></table></div>`;
}

function diffBlock(d: LineDiff, what: string): Html {
  if (d.kind === 'same') return html`<p>Same ${what}.</p>`;
  if (d.kind === 'too-different')
    return html`<p><strong class="warn">The ${what} differ throughout</strong>: too many changes to show line by line; compare the raw downloads.</p>`;
  return html`<p><strong class="warn">The ${what} differ</strong>: ${d.removed} line${d.removed === 1 ? '' : 's'} only here, ${d.added} only in the copy.</p>
<div class="diff" role="table" aria-label="${what}: - this message, + the copy">${d.hunks.map(
    (h, i) =>
      html`${i ? html`<div class="diff-gap">⋯</div>` : ''}${h.lines.map(
        (l) =>
          html`<div class="diff-line diff-${l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'same'}"><span class="ln">${l.a ?? ''}</span><span class="ln">${l.b ?? ''}</span><span class="op">${l.op}</span><span class="txt">${l.text}</span></div>`,
      )}`,
  )}</div>`;
}

export function copiesSection(v: MessageView): Html {
  if (!v.copies.length) return html`<p class="muted">No other message has this Message-ID.</p>`;
  return html`<p class="muted">Lines marked − are in this message only, + in the other copy only.</p>${v.copies.map(
    (
      c,
    ) => html`<article class="copy"><h3>Copy <a href="/messages/${c.sha256}">${c.sha256.slice(0, 16)}…</a> ${verdictBadge(c.verdict)} ${fmtBytes(c.size)}</h3>
<p class="muted">${c.subject ?? '(no subject)'} · ${c.fromAddress ?? '—'} · ${c.dateHeader ?? 'no date'}</p>
<h4>Headers</h4>${diffBlock(c.headerDiff, 'headers')}
<h4>Body ${c.bodyCompared === 'text' ? html`<span class="muted">(decoded text)</span>` : html`<span class="muted">(raw bytes)</span>`}</h4>${diffBlock(c.bodyDiff, 'bodies')}
${c.bodyDiffers ? html`<p class="muted">Body bytes: SHA-256 <span class="hash">${v.bodySha256}</span> here, <span class="hash">${c.bodySha256}</span> in the copy.</p>` : html`<p class="muted">The body bytes are identical.</p>`}
</article>`,
  )}${v.moreCopies ? html`<p class="muted">${v.moreCopies} more copies not compared.</p>` : ''}`;
}

/** The remote loads and link targets of the HTML body, blocked by the frame but kept as evidence. */
export function htmlReferencesSection(v: MessageView): Html {
  const r = v.htmlReferences;
  if (!r) return html``;
  if (!r.references.length) return html`<p class="muted">The HTML refers to nothing outside the message.</p>`;
  const loads = r.references.filter((x) => x.kind !== 'link');
  const links = r.references.filter((x) => x.kind === 'link');
  const pixels = loads.filter((x) => x.pixel).length;
  const masked = links.filter((x) => x.shownAs !== null).length;
  const table = (
    list: typeof r.references,
    link: boolean,
  ) => html`<div class="scroll"><table class="references"><thead><tr><th>${link ? 'shown as' : 'what'}</th><th>address (not followed)</th><th>in</th><th class="num">times</th></tr></thead><tbody>
${list.map(
  (
    x,
  ) => html`<tr${x.pixel || x.shownAs ? html` class="flag"` : ''}><td>${link ? (x.shownAs ? html`<strong class="warn">${x.shownAs}</strong>` : html`<span class="muted">its own address</span>`) : html`${x.kind}${x.pixel ? html` <strong class="warn">1×1 pixel</strong>` : ''}`}</td>
<td class="url">${x.url}</td><td class="muted">${x.where}</td><td class="num">${x.count}</td></tr>`,
)}</tbody></table></div>`;
  return html`<h3>What the HTML refers to</h3>
<p>Nothing here was loaded or followed. ${loads.length ? html`${loads.length} remote load${loads.length === 1 ? '' : 's'}${pixels ? html`, <strong class="warn">${pixels} tracking-pixel-shaped image${pixels === 1 ? '' : 's'}</strong>` : ''}` : 'No remote load'}; ${links.length} link target${links.length === 1 ? '' : 's'}${masked ? html`, <strong class="warn">${masked} whose text shows another address</strong>` : ''}.${r.truncated ? ' The list stops at 500; the raw bytes have every address.' : ''}</p>
${loads.length ? table(loads, false) : ''}${links.length ? html`<h4>Link targets</h4>${table(links, true)}` : ''}`;
}

export function sourcesSection(v: MessageView): Html {
  return html`<ul class="sources">${v.sources.map(
    (s) =>
      html`<li class="path">${s.path}${s.mailboxKey ? html` <span class="muted">mailbox ${s.mailboxKey}</span>` : s.mailbox ? html` <span class="muted">mailbox ${s.mailbox}</span>` : ''}${s.folder ? html` <span class="muted">folder ${s.folder}</span>` : ''}${s.role ? html` <span class="muted">role ${s.role}</span>` : ''} <span class="muted">(run ${s.runId})</span></li>`,
  )}</ul>`;
}

export function headersSection(v: MessageView): Html {
  return html`<pre class="headers">${v.headers.map((h) => h.raw).join('\n')}</pre>
${v.problems.length ? html`<h3>Parse problems</h3><ul>${v.problems.map((p) => html`<li><code>${p.code}</code> ${p.reason}</li>`)}</ul>` : ''}`;
}
