// Hostile messages through the whole analysis: each is kept, gets a stated problem and a verdict,
// never a crash, a hang or a `verified`.
import { describe, expect, it } from 'vitest';
import { analyseMessage } from '../../src/pipeline/analyse-message.ts';
import { parseMessage } from '../../src/parse/parse-message.ts';
import { KeyIndex } from '../../src/verify/key-index.ts';

const opts = { keys: new KeyIndex(), now: 1_700_000_000 };

function nested(depth: number): Buffer {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    open += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
    close = `\r\n--b${i}--\r\n` + close;
  }
  return Buffer.from(`From: a@example.org\r\nSubject: deep\r\nMIME-Version: 1.0\r\n${open}Content-Type: text/plain\r\n\r\nleaf${close}`);
}

describe('hostile messages', () => {
  it('a 10 MB header line: headers kept, body not parsed, reason stated', async () => {
    const bytes = Buffer.from(`From: a@example.org\r\nX-Long: ${'a'.repeat(10 * 1024 * 1024)}\r\nSubject: s\r\n\r\nbody\r\n`);
    const t = Date.now();
    const a = await analyseMessage(bytes, opts);
    expect(Date.now() - t).toBeLessThan(10_000);
    expect(a.parsed.problems.map((p) => p.code)).toContain('parse/header-too-large');
    expect(a.parsed.from[0]!.address).toBe('a@example.org');
    expect(a.verdict.verdict).toBe('unverifiable');
  });

  it('MIME nested 1,000 deep: bounded, with a stated reason', async () => {
    const a = await analyseMessage(nested(1000), opts);
    expect(a.parsed.problems.map((p) => p.code)).toContain('parse/mime-too-deep');
    expect(a.parsed.subject).toBe('deep');
  });

  it('MIME nested 50 deep is still parsed', async () => {
    const p = await parseMessage(nested(50));
    expect(p.problems).toEqual([]);
    expect(p.text?.trim()).toBe('leaf');
  });

  it('NUL bytes and invalid UTF-8 in headers are noted, the message kept', async () => {
    const bytes = Buffer.concat([
      Buffer.from('From: a@example.org\r\nSubject: caf'),
      Buffer.from([0xe9, 0xff]),
      Buffer.from('\r\n\r\nbody\0with nul\r\n'),
    ]);
    const a = await analyseMessage(bytes, opts);
    const codes = a.parsed.problems.map((p) => p.code);
    expect(codes).toContain('parse/nul-bytes');
    expect(codes).toContain('parse/8bit-headers');
    expect(a.verdict.verdict).not.toBe('verified');
  });

  it('a message cut off inside its headers, and binary junk, give problems not exceptions', async () => {
    const cut = await analyseMessage(Buffer.from('From: a@example.org\r\nSubject: trunc'), opts);
    expect(cut.parsed.problems.map((p) => p.code)).toContain('parse/no-body');
    const junk = await analyseMessage(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), opts);
    expect(junk.parsed.problems.length).toBeGreaterThan(0);
    expect(junk.verdict.verdict).toBe('unverifiable');
  });

  it('keeps the raw header list as in the bytes: order, duplicates and folding', async () => {
    const raw = 'Subject: first\r\nFrom: a@example.org\r\nSubject: second\r\nX-Folded: one\r\n\ttwo\r\n\r\nbody';
    const p = await parseMessage(Buffer.from(raw));
    expect(p.headers.map((h) => h.name)).toEqual(['Subject', 'From', 'Subject', 'X-Folded']);
    expect(p.headers[3]!.raw).toBe('X-Folded: one\r\n\ttwo');
    expect(p.headers[3]!.value).toBe('one\ttwo');
  });
});

describe('a check that fails on a message', () => {
  it('is recorded as check/error and keeps the message from being verified', async () => {
    const { checks } = await import('../../src/checks/index.ts');
    const target = checks.find((c) => c.id === 'message-id')!;
    const original = target.run;
    (target as { run: typeof original }).run = () => {
      throw new Error('boom');
    };
    try {
      const { readFileSync } = await import('node:fs');
      const { readKeyFile } = await import('../../src/verify/key-files.ts');
      const keys = new KeyIndex(
        readKeyFile(readFileSync(new URL('../../test-corpus/keys/corpus.zone', import.meta.url), 'utf8'), 'corpus.zone').records,
      );
      const a = await analyseMessage(readFileSync(new URL('../../test-corpus/generated/authentic-news-rsa.eml', import.meta.url)), {
        keys,
        now: 0,
      });
      expect(a.findings.map((f) => f.code)).toContain('check/error');
      expect(a.verdict.verdict).toBe('unverifiable');
    } finally {
      (target as { run: typeof original }).run = original;
    }
  });
});
