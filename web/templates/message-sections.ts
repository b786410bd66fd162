// The evidence sections of the message page. Every value here comes from the dump.
import type { MessageView } from '../../src/server/message-view.ts';
import { html, type Html } from './html.ts';
import { fmtBytes, fmtDelay, fmtEpoch, verdictBadge, yesNo } from './format.ts';

export function findingsSection(v: MessageView): Html {
  if (!v.findings.length) return html`<p class="muted">No finding.</p>`;
  return html`<table class="findings"><thead><tr><th>severity</th><th>code</th><th>detail</th><th>evidence</th></tr></thead><tbody>
${v.findings.map(
  (f) => html`<tr><td class="sev-${f.severity}">${f.severity}</td><td><code>${f.code}</code><br><span class="muted">${f.check}</span></td>
<td>${f.detail}</td><td><pre class="evidence">${JSON.stringify(f.evidence, null, 1)}</pre></td></tr>`,
)}</tbody></table>`;
}

function coverage(s: MessageView['signatures'][number]): Html {
  const l = s.body_length === null ? 'whole body (no l=)' : `l=${s.body_length}`;
  return html`${l}${s.unsigned_body_bytes ? html`<br><strong class="warn">${s.unsigned_body_bytes} bytes after l= unsigned</strong>` : ''}<br>body hash ${s.body_hash}<br>header signature ${s.header_signature}`;
}

export function signaturesSection(v: MessageView): Html {
  if (!v.signatures.length) return html`<p class="muted">No DKIM-Signature header.</p>`;
  return html`<div class="scroll"><table class="signatures"><thead><tr><th>#</th><th>d=</th><th>s=</th><th>algorithm</th><th>key</th>
<th>key source</th><th>signed headers (h=)</th><th>body coverage</th><th>t= / x=</th><th>aligned</th><th>result</th><th>comment</th></tr></thead><tbody>
${v.signatures.map(
  (
    s,
  ) => html`<tr><td>${s.idx}</td><td>${s.domain}</td><td>${s.selector}</td><td>${s.algorithm}<br><span class="muted">${s.canonicalization}</span></td>
<td>${s.key_type ?? '—'} ${s.key_bits ? `${s.key_bits} bits` : ''}${s.key_revoked ? html`<br><strong class="warn">revoked</strong>` : ''}</td>
<td>${s.key_name}<br><span class="muted">${s.key_source ?? 'no key found'}</span>${s.key_error ? html`<br><em>${s.key_error}</em>` : ''}</td>
<td class="hlist">${s.signed_headers.split(':').join(' : ')}</td><td>${coverage(s)}</td>
<td>${fmtEpoch(s.sign_time)}<br>${fmtEpoch(s.expires_at)}</td><td>${yesNo(s.aligned)}</td>
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
<li class="origin"><span class="time">${fmtEpoch(origin)}</span> Date header (written by the sender's software)</li>
${hops.map(
  (h) => html`<li${h.delay !== null && h.delay < 0 ? html` class="backwards"` : ''}>
<span class="delay">${h.delay === null ? '?' : `+${fmtDelay(h.delay)}`}</span>
<span class="time">${fmtEpoch(h.epoch)}</span> from <strong>${h.from ?? '?'}</strong> by <strong>${h.by ?? '?'}</strong>
<span class="muted">(header ${h.index})</span>${h.delay !== null && h.delay < 0 ? html` <strong class="warn">earlier than the previous step</strong>` : ''}</li>`,
)}</ol>`;
}

export function attachmentsSection(v: MessageView): Html {
  if (!v.attachments.length) return html`<p class="muted">No attachment.</p>`;
  return html`<table><thead><tr><th>#</th><th>name</th><th>type</th><th class="num">size</th><th>SHA-256</th><th></th></tr></thead><tbody>
${v.attachments.map(
  (a) => html`<tr><td>${a.idx}</td><td>${a.filename ?? html`<span class="muted">(no name)</span>`}</td><td>${a.content_type}</td>
<td class="num">${fmtBytes(a.size)}</td><td class="hash">${a.content_sha256}</td>
<td><a href="/messages/${v.message.sha256}/attachments/${a.idx}" download>download</a></td></tr>`,
)}</tbody></table>`;
}

export function copiesSection(v: MessageView): Html {
  if (!v.copies.length) return html`<p class="muted">No other message has this Message-ID.</p>`;
  return html`${v.copies.map(
    (
      c,
    ) => html`<article class="copy"><h3><a href="/messages/${c.sha256}">${c.sha256.slice(0, 16)}…</a> ${verdictBadge(c.verdict)} ${fmtBytes(c.size)}</h3>
<p>${c.body_differs ? html`<strong class="warn">The body differs</strong> (SHA-256 ${c.body_sha256} here ${v.body_sha256}).` : 'Same body bytes.'}</p>
${
  c.headers_only_here.length || c.headers_only_there.length
    ? html`<table class="diff"><thead><tr><th>only in this message</th><th>only in the copy</th></tr></thead><tbody><tr>
<td><pre>${c.headers_only_here.join('\n')}</pre></td><td><pre>${c.headers_only_there.join('\n')}</pre></td></tr></tbody></table>`
    : html`<p>Same headers.</p>`
}</article>`,
  )}${v.more_copies ? html`<p class="muted">${v.more_copies} more copies not compared.</p>` : ''}`;
}

export function sourcesSection(v: MessageView): Html {
  return html`<ul class="sources">${v.sources.map(
    (s) =>
      html`<li class="path">${s.path}${s.mailbox ? html` <span class="muted">mailbox ${s.mailbox}</span>` : ''}${s.folder ? html` <span class="muted">folder ${s.folder}</span>` : ''}${s.role ? html` <span class="muted">role ${s.role}</span>` : ''} <span class="muted">(run ${s.run_id})</span></li>`,
  )}</ul>`;
}

export function headersSection(v: MessageView): Html {
  return html`<pre class="headers">${v.headers.map((h) => h.raw).join('\n')}</pre>
${v.problems.length ? html`<h3>Parse problems</h3><ul>${v.problems.map((p) => html`<li><code>${p.code}</code> ${p.reason}</li>`)}</ul>` : ''}`;
}
