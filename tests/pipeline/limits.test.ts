// The limits of issue 9 that are the pipeline's: hostile headers cost linear time on every path
// (mailauth's header reader, quadratic in folded lines, is never handed a long header section),
// and the time limit holds without workers (run-import.test.ts).
import { describe, expect, it } from 'vitest';
import { analyseMessage } from '../../src/pipeline/analyse-message.ts';
import { KeyIndex } from '../../src/verify/key-index.ts';
import { MAX_MAILAUTH_HEADER_LINES, MAX_MAILAUTH_SIGNATURE_HEADERS } from '../../src/verify/mailauth-adapter.ts';

const keys = new KeyIndex([]);
const CRLF = '\r\n';

async function timed(message: string): Promise<{ secs: number; a: Awaited<ReturnType<typeof analyseMessage>> }> {
  const t = performance.now();
  const a = await analyseMessage(Buffer.from(message, 'latin1'), { keys, now: 1.7e9 });
  return { secs: (performance.now() - t) / 1000, a };
}

describe('hostile headers', () => {
  it('a To: of 200,000 folded addresses (4.3 MB) takes seconds, not minutes', async () => {
    const to = Array.from({ length: 200_000 }, (_, i) => `u${i}@example.org`).join(`,${CRLF} `);
    const { secs, a } = await timed(`From: a@example.org${CRLF}To: ${to}${CRLF}Subject: x${CRLF}${CRLF}body${CRLF}`);
    // mailauth's reader took 124 s on this; ours is linear (about 1 s here, shared cores).
    expect(secs).toBeLessThan(20);
    expect(a.parsed.headers.find((h) => h.key === 'to')!.raw.length).toBeGreaterThan(4_000_000);
  });

  it('a signature mailauth would have to read past a long header section is recorded not evaluated', async () => {
    const to = Array.from({ length: MAX_MAILAUTH_HEADER_LINES + 10 }, (_, i) => `u${i}@example.org`).join(`,${CRLF} `);
    // ARC sends a message to mailauth; the header section is too long for it.
    const message =
      `ARC-Seal: i=1; a=rsa-sha256; cv=none; d=example.org; s=x; b=AAAA${CRLF}` +
      `DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=x; h=from:to; bh=AAAA; b=AAAA${CRLF}` +
      `From: a@example.org${CRLF}To: ${to}${CRLF}${CRLF}body${CRLF}`;
    const { secs, a } = await timed(message);
    expect(secs).toBeLessThan(20);
    expect(a.verification.signatures[0]).toMatchObject({ result: 'permerror', problem: 'not-evaluated' });
    expect(a.verification.signatures[0]!.comment).toContain(`more than ${MAX_MAILAUTH_HEADER_LINES} lines`);
    expect(a.verification.verifiedBy).toBeNull();
    // Its ARC set was not read either, and the record says so rather than that there is none.
    expect(a.verification.arc).toMatchObject({
      result: 'none',
      comment: `not evaluated: the header section has more than ${MAX_MAILAUTH_HEADER_LINES} lines`,
    });
  });

  it('a message with more signature headers than mailauth is given is recorded not evaluated, saying why', async () => {
    // Without v=1 our verifier declines these, and mailauth would check all 3,000 (0.9 s, growing
    // with their number times the header section's lines).
    const signature = `DKIM-Signature: a=rsa-sha256; d=example.org; s=x; h=from; bh=AAAA; b=AAAA${CRLF}`;
    const { a } = await timed(`${signature.repeat(3000)}From: a@example.org${CRLF}Subject: x${CRLF}${CRLF}body${CRLF}`);
    expect(a.verification.signatures).toHaveLength(3000);
    expect(a.verification.signatures[0]).toMatchObject({ result: 'permerror', problem: 'not-evaluated' });
    expect(a.verification.signatures[0]!.comment).toBe(
      `not evaluated: the message has 3000 DKIM-Signature and ARC headers (limit ${MAX_MAILAUTH_SIGNATURE_HEADERS})`,
    );
    expect(a.verification.verifiedBy).toBeNull();
    // At the limit mailauth still reads them: the first is judged on its own (no v= tag).
    const { a: within } = await timed(`${signature.repeat(MAX_MAILAUTH_SIGNATURE_HEADERS)}From: a@example.org${CRLF}${CRLF}body${CRLF}`);
    expect(within.verification.verifiedBy).toBe('mailauth');
    expect(within.verification.signatures[0]!.problem).not.toBe('not-evaluated');
  });

  it('a 5 MB folded Subject takes seconds', async () => {
    const subject = Array.from({ length: 400_000 }, (_, i) => `w${i}`).join(`${CRLF} `);
    const { secs } = await timed(`From: a@example.org${CRLF}Subject: ${subject}${CRLF}${CRLF}body${CRLF}`);
    expect(secs).toBeLessThan(20);
  });
});
