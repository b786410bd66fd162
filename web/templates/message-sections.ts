// The evidence sections of the message page. Every value here comes from the dump.
import type { MessageView } from '../../src/server/message-view.ts';
import { html, type Html } from './html.ts';
import { formatDuration, formatTime } from '../../src/common/time.ts';
import { fmtBytes, verdictBadge, yesNo } from './format.ts';

export function findingsSection(v: MessageView): Html {
  if (!v.findings.length) return html`<p class="muted">No finding.</p>`;
  return html`<table class="findings"><thead><tr><th>severity</th><th>code</th><th>detail</th><th>evidence</th></tr></thead><tbody>
${v.findings.map(
  (f) => html`<tr><td class="sev-${f.severity}">${f.severity}</td><td><code>${f.code}</code><br><span class="muted">${f.check}</span></td>
<td>${f.detail}</td><td><pre class="evidence">${JSON.stringify(f.evidence, null, 1)}</pre></td></tr>`,
)}</tbody></table>`;
}

function coverage(s: MessageView['signatures'][number]): Html {
  const l = s.bodyLength === null ? 'whole body (no l=)' : `l=${s.bodyLength}`;
  return html`${l}${s.unsignedBodyBytes ? html`<br><strong class="warn">${s.unsignedBodyBytes} bytes after l= unsigned</strong>` : ''}<br>body hash ${s.bodyHash}<br>header signature ${s.headerSignature}`;
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
<td>${formatTime(s.signTime, 'readable')}<br>${formatTime(s.expiresAt, 'readable')}</td><td>${yesNo(s.aligned)}</td>
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
<li class="origin"><span class="time">${formatTime(origin, 'readable')}</span> Date header (written by the sender's software)</li>
${hops.map(
  (h) => html`<li${h.delay !== null && h.delay < 0 ? html` class="backwards"` : ''}>
<span class="delay">${h.delay === null ? '?' : `+${formatDuration(h.delay, 'words')}`}</span>
<span class="time">${formatTime(h.epoch, 'readable')}</span> from <strong>${h.from ?? '?'}</strong> by <strong>${h.by ?? '?'}</strong>
<span class="muted">(header ${h.index})</span>${h.delay !== null && h.delay < 0 ? html` <strong class="warn">earlier than the previous step</strong>` : ''}</li>`,
)}</ol>`;
}

export function attachmentsSection(v: MessageView): Html {
  if (!v.attachments.length) return html`<p class="muted">No attachment.</p>`;
  return html`<table><thead><tr><th>#</th><th>name</th><th>type</th><th class="num">size</th><th>SHA-256</th><th></th></tr></thead><tbody>
${v.attachments.map(
  (a) => html`<tr><td>${a.index}</td><td>${a.filename ?? html`<span class="muted">(no name)</span>`}</td><td>${a.contentType}</td>
<td class="num">${fmtBytes(a.size)}</td><td class="hash">${a.sha256}</td>
<td><a href="/messages/${v.message.sha256}/attachments/${a.index}" download>download</a></td></tr>`,
)}</tbody></table>${documentsTable(v)}`;
}

/** What attached office documents and PDFs say about themselves (src/parse/document-metadata.ts). */
function documentsTable(v: MessageView): Html {
  if (!v.documents.length) return html``;
  const name = (idx: number): string | null => v.attachments.find((a) => a.index === idx)?.filename ?? null;
  return html`<h3>Document metadata</h3><div class="scroll"><table class="documents"><thead><tr><th>#</th><th>name</th><th>format</th><th>author</th>
<th>last saved by</th><th>application</th><th>language</th><th>created</th><th>modified</th><th>problems</th></tr></thead><tbody>
${v.documents.map(
  ({ idx, document: d }) => html`<tr><td>${idx}</td><td>${name(idx) ?? html`<span class="muted">(no name)</span>`}</td><td>${d.format}</td>
<td>${d.author ?? '—'}</td><td>${d.lastModifiedBy ?? '—'}</td><td>${d.application ?? '—'}${d.producer ? html`<br><span class="muted">${d.producer}</span>` : ''}${d.company ? html`<br><span class="muted">${d.company}</span>` : ''}</td>
<td>${d.language ?? '—'}</td><td>${formatTime(d.created, 'readable')}</td><td>${formatTime(d.modified, 'readable')}${d.timesWithoutZone ? html`<br><span class="muted">no zone: read as UTC</span>` : ''}</td>
<td>${d.problems.length ? html`<ul>${d.problems.map((p) => html`<li>${p}</li>`)}</ul>` : '—'}</td></tr>`,
)}</tbody></table></div>`;
}

export function copiesSection(v: MessageView): Html {
  if (!v.copies.length) return html`<p class="muted">No other message has this Message-ID.</p>`;
  return html`${v.copies.map(
    (
      c,
    ) => html`<article class="copy"><h3><a href="/messages/${c.sha256}">${c.sha256.slice(0, 16)}…</a> ${verdictBadge(c.verdict)} ${fmtBytes(c.size)}</h3>
<p>${c.bodyDiffers ? html`<strong class="warn">The body differs</strong> (SHA-256 ${c.bodySha256} here ${v.bodySha256}).` : 'Same body bytes.'}</p>
${
  c.headersOnlyHere.length || c.headersOnlyThere.length
    ? html`<table class="diff"><thead><tr><th>only in this message</th><th>only in the copy</th></tr></thead><tbody><tr>
<td><pre>${c.headersOnlyHere.join('\n')}</pre></td><td><pre>${c.headersOnlyThere.join('\n')}</pre></td></tr></tbody></table>`
    : html`<p>Same headers.</p>`
}</article>`,
  )}${v.moreCopies ? html`<p class="muted">${v.moreCopies} more copies not compared.</p>` : ''}`;
}

export function sourcesSection(v: MessageView): Html {
  return html`<ul class="sources">${v.sources.map(
    (s) =>
      html`<li class="path">${s.path}${s.mailbox ? html` <span class="muted">mailbox ${s.mailbox}</span>` : ''}${s.folder ? html` <span class="muted">folder ${s.folder}</span>` : ''} <span class="muted">(run ${s.runId})</span></li>`,
  )}</ul>`;
}

export function headersSection(v: MessageView): Html {
  return html`<pre class="headers">${v.headers.map((h) => h.raw).join('\n')}</pre>
${v.problems.length ? html`<h3>Parse problems</h3><ul>${v.problems.map((p) => html`<li><code>${p.code}</code> ${p.reason}</li>`)}</ul>` : ''}`;
}
