// The evidence bundle of one message (issue 7): a zip a newsroom can publish with its claim. It
// holds the exact bytes, the key records used (as zone lines and as a DNS cache for mailauth), the
// verification transcript, the findings and verdict, and a README on re-verifying it with tools
// that are not ours. Same database, same bytes: nothing in it depends on the clock or the machine.
import { formatTime } from '../common/time.ts';
import { sha256Hex } from '../common/sha256.ts';
import type { KeyRecord } from '../model.ts';
import type { VerificationTranscript } from '../common/verification-transcript.ts';
import type { BundleEvidence } from '../store/bundle-repo.ts';
import { type ZipEntryData, writeZipBuffer } from './bundle-zip.ts';

export const BUNDLE_FORMAT = 'leaktriage-evidence-bundle/1';

/** `evidence-<sha256>.zip`: the name says which message, and cannot leave the output folder. */
export function bundleFileName(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a message id: ${sha256}`);
  return `evidence-${sha256}.zip`;
}

export async function writeBundle(evidence: BundleEvidence, transcript: VerificationTranscript): Promise<Buffer> {
  return writeZipBuffer(listBundleEntries(evidence, transcript));
}

export function listBundleEntries(e: BundleEvidence, t: VerificationTranscript): ZipEntryData[] {
  const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v, null, 2) + '\n');
  return [
    { name: 'README.md', data: Buffer.from(describeBundle(e, t)) },
    { name: 'message.eml', data: e.raw },
    { name: 'verification.json', data: json(t) },
    { name: 'findings.json', data: json(describeFindings(e)) },
    { name: 'keys.zone', data: Buffer.from(writeZoneLines(e.keys)) },
    { name: 'dns-cache.json', data: json(writeDnsCache(e.keys, t)) },
  ];
}

function describeFindings(e: BundleEvidence): unknown {
  return {
    format: BUNDLE_FORMAT,
    message_sha256: e.sha256,
    size: e.size,
    message_id: e.messageId,
    from: e.from,
    subject: e.subject,
    date: e.date,
    verdict: e.verdict,
    summary: e.summary,
    reasons: e.reasons,
    as_of: formatTime(e.asOf, 'iso'),
    as_of_source: e.asOfSource,
    verifier_version: e.verifierVersion,
    imported_at: e.importedAt,
    first_import_run: e.firstRunId,
    sources: e.sources.map((s) => ({ path: s.path, import_run: s.runId })),
    signatures_at_import: e.signatures,
    arc_at_import: e.arc,
    findings: e.findings,
    reviews: e.reviews.map((r) => ({ decision: r.decision, verdict: r.verdict, reviewer: r.reviewer, note: r.note, at: r.createdAt })),
  };
}

const day = (t: number | null): string => formatTime(t, 'day', 'unknown');

/** BIND zone lines, as `leaktriage keys import` and DNS operators read them; TXT strings cut at 255 bytes. */
function writeZoneLines(keys: readonly KeyRecord[]): string {
  const lines = ['; DKIM key records used to verify this message, with where each came from.', ''];
  for (const k of keys) {
    lines.push(
      `; source: ${k.source} · first seen ${day(k.firstSeen)} · last seen ${day(k.lastSeen)}${k.fetchedAt ? ` · fetched ${day(k.fetchedAt)}` : ''}`,
    );
    if (k.dnsError) {
      lines.push(`; ${k.name}: the source records ${k.dnsError} (no key)`, '');
      continue;
    }
    const strings = k.value.match(/[\s\S]{1,255}/g) ?? [''];
    lines.push(`${k.name}. IN TXT ${strings.map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`).join(' ')}`, '');
  }
  if (keys.length === 0) lines.push('; (none: the key store held no record for the signatures of this message)');
  return lines.join('\n') + '\n';
}

/** mailauth's --dns-cache shape. One record per name: the one the transcript used, else the first. */
function writeDnsCache(keys: readonly KeyRecord[], t: VerificationTranscript): Record<string, { TXT: string[][] }> {
  const used = new Map(t.signatures.flatMap((s) => (s.key ? [[s.key.name, s.key.record] as const] : [])));
  const cache: Record<string, { TXT: string[][] }> = {};
  for (const k of keys) {
    if (k.dnsError || !k.value || cache[k.name]) continue;
    const value = used.get(k.name) ?? k.value;
    cache[k.name] = { TXT: [value.match(/[\s\S]{1,255}/g) ?? []] };
  }
  return cache;
}

function describeBundle(e: BundleEvidence, t: VerificationTranscript): string {
  const sha = sha256Hex(e.raw);
  const sigs = t.signatures.length
    ? t.signatures
        .map(
          (s) =>
            `- signature ${s.index + 1}: d=${s.tags.d ?? '?'} s=${s.tags.s ?? '?'} ${s.algorithm}, ${s.canonicalization.header}/${s.canonicalization.body}: ` +
            `**${s.result}** (body hash ${s.bodyHash.result}${s.key ? `; key ${s.key.name} from ${s.key.source}` : s.keyError ? `; no key: ${s.keyError}` : ''})`,
        )
        .join('\n')
    : '- the message carries no DKIM signature';
  return `# Evidence bundle for message ${e.sha256}

Made by leaktriage from its database (${BUNDLE_FORMAT}). Every file here can be checked without it.

- **Verdict:** ${e.verdict} — ${e.summary}
- **Reasons:** ${e.reasons.join(', ') || 'none'}
- **Verified as of:** ${t.asOf} (${describeAsOfSource(t.asOfSource)})
- **Message:** ${e.subject ?? '(no subject)'} — from ${e.from ?? '(no From)'}, dated ${e.date ?? '(no Date)'}

${sigs}

## Files

| file | what it is |
| --- | --- |
| \`message.eml\` | the message, byte for byte as received; its SHA-256 is the id above |
| \`verification.json\` | per signature: every tag, canonicalization, the body hash computed now beside \`bh=\`, the result, the key record and the as-of time |
| \`findings.json\` | the verdict, its reasons, every finding, where the bytes were found, reviewers' decisions |
| \`keys.zone\` | the DKIM key records used, as BIND zone lines, each with its source and when it was seen |
| \`dns-cache.json\` | the same keys in the DNS cache format of mailauth's command line |

## Check that the message is the one we examined

\`\`\`sh
sha256sum message.eml      # must print ${sha}
\`\`\`

## Re-verify the signature with an independent tool

Never let a verifier look the key up in live DNS: the domain's owner can see the lookup, and the key
published today may not be the one that signed the message. Both recipes below answer key lookups
from this bundle only.

**dkimpy** (Python; its \`dkimverify\` command asks live DNS, so call the same library with a DNS
override instead):

\`\`\`sh
pip install dkimpy          # or Debian's python3-dkim
python3 - <<'PY'
import dkim, json
cache = json.load(open('dns-cache.json'))
def dnsfunc(name, timeout=5):
    name = name.decode() if isinstance(name, bytes) else name
    txt = cache.get(name.rstrip('.').lower(), {}).get('TXT')
    return ''.join(txt[0]).encode() if txt else None
msg = open('message.eml', 'rb').read()
d = dkim.DKIM(msg)
for i in range(len([h for h in d.headers if h[0].lower() == b'dkim-signature'])):
    try:
        print('signature', i + 1, 'pass' if d.verify(idx=i, dnsfunc=dnsfunc) else 'fail')
    except dkim.ValidationError as e:
        print('signature', i + 1, 'fail:', e)
PY
\`\`\`

It prints \`pass\` or \`fail\` per signature (with the body hash it computed when that differs).

**mailauth** (Node.js), whose \`--dns-cache\` answers every lookup from the file:

\`\`\`sh
npx mailauth report --dns-cache dns-cache.json message.eml
\`\`\`

Its \`dkim\` section lists each signature with \`status.result\`, the body hash it computed
(\`bodyHash\`) and the one the signature expects (\`bodyHashExpecting\`), to compare with
\`verification.json\`. SPF and DMARC in that report need other DNS records and are not part of this
evidence.

## What the as-of time means

A signature is checked as of the time the message was handled, not today: ${t.asOf}, read from
${describeAsOfSource(t.asOfSource)}. That time decides whether an expiry (\`x=\`) had passed and which of a
selector's keys over the years applied. Both tools above check \`x=\` against today's clock: a
signature that expired since the message was sent passes here and is reported as expired there.
The key records say where they came from; a record from an archive export says when it was seen
published, one fetched live says when it was fetched (a key found today is weaker evidence about
the past than one seen at the time).
`;
}

function describeAsOfSource(source: string): string {
  switch (source) {
    case 'received':
      return 'the topmost Received header, written by the receiving server';
    case 'dkim-t':
      return 'the earliest DKIM t= signing time';
    case 'date':
      return "the message's Date header";
    default:
      return 'the time of the import (the message carries no usable time of its own)';
  }
}
