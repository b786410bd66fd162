import { describe, expect, it } from 'vitest';
import { check } from '../../src/checks/dkim.ts';
import { codesOf, message, T0 } from './fixtures.ts';
import type { MessageSpec } from './fixtures.ts';
import type { CheckInput } from '../../src/model.ts';

const HEADERS = [
  'From: Ana <ana@example.org>',
  'To: bo@example.net',
  'Subject: Budget',
  'Date: Tue, 01 Apr 2025 09:59:00 +0000',
  'Message-ID: <1@example.org>',
];

async function run(spec: Partial<MessageSpec>, context?: CheckInput['context']) {
  const input = await message({ headers: HEADERS, ...spec });
  return check.run({ ...input, context });
}

describe('dkim check', () => {
  it('gives dkim/pass for an aligned, whole-body, strong-key signature that verifies', async () => {
    const f = await run({ signatures: [{ domain: 'example.org' }] });
    expect(codesOf(f)).toEqual(['dkim/pass']);
    expect(f[0]!.detail).toMatch(/example\.org .*2048-bit/);
  });

  it('reports an unsigned message, and an unsigned spoof of a domain known to sign', async () => {
    expect(codesOf(await run({}))).toEqual(['dkim/unsigned']);
    const known = { signingDomains: new Map([['example.org', null]]) };
    expect(codesOf(await run({}, known))).toEqual(['dkim/unsigned', 'dkim/missing-signature']);
    // A domain whose keys appear only after the message was sent says nothing about it.
    const later = { signingDomains: new Map([['example.org', 2_000_000_000]]) };
    expect(codesOf(await run({}, later))).toEqual(['dkim/unsigned']);
  });

  it('refuses weak keys, rsa-sha1, l= with unsigned content and unaligned signers as proof', async () => {
    expect(codesOf(await run({ signatures: [{ domain: 'example.org', keyBits: 512 }] }))).toEqual(['dkim/weak-key']);
    expect(codesOf(await run({ signatures: [{ domain: 'example.org', algorithm: 'rsa-sha1' }] }))).toEqual(['dkim/sha1']);
    expect(codesOf(await run({ signatures: [{ domain: 'example.org', bodyLength: 100, unsignedBodyBytes: 42 }] }))).toEqual([
      'dkim/unsigned-content',
    ]);
    expect(codesOf(await run({ signatures: [{ domain: 'esp.example.com' }] }))).toEqual(['dkim/unaligned']);
  });

  it('tells a changed body from changed headers, and weakens a body mismatch without a key or on a list', async () => {
    const body = await run({
      signatures: [{ domain: 'example.org', result: 'fail', bodyHash: 'fail', comment: 'body hash did not verify' }],
    });
    expect(body.map((x) => [x.code, x.severity])).toEqual([['dkim/body-hash-mismatch', 'strong']]);
    const noKey = await run({ signatures: [{ domain: 'example.org', result: 'fail', bodyHash: 'fail', keySource: null }] });
    expect(noKey[0]!.severity).toBe('weak');
    const list = await run({
      headers: [...HEADERS, 'List-Id: <team.example.org>'],
      signatures: [{ domain: 'example.org', result: 'fail', bodyHash: 'fail' }],
    });
    expect(list[0]!.severity).toBe('weak');
    expect(codesOf(await run({ signatures: [{ domain: 'example.org', result: 'fail', comment: 'bad signature' }] }))).toEqual([
      'dkim/bad-signature',
    ]);
  });

  it('says whether the headers still verify after a body-hash mismatch: edited body or transplanted signature', async () => {
    const edited = await run({ signatures: [{ domain: 'example.org', result: 'fail', bodyHash: 'fail', headerSignature: 'pass' }] });
    expect(edited[0]!.detail).toMatch(/signed headers still verify.*body was changed after signing/);
    expect(edited[0]!.evidence).toMatchObject({ headerSignature: 'pass' });
    const copied = await run({ signatures: [{ domain: 'example.org', result: 'fail', bodyHash: 'fail', headerSignature: 'fail' }] });
    expect(copied[0]!.detail).toMatch(/Neither the body nor the signed headers match/);
    expect(copied[0]!.severity).toBe('strong');
  });

  it('tells when the key used was seen in DNS only long after (or before) the message time', async () => {
    const asOf = T0; // no Received hop in the fixture: verified as of T0
    const later = await run({ signatures: [{ domain: 'example.org', keyFirstSeen: asOf + 200 * 86400, keyLastSeen: null }] });
    expect(codesOf(later)).toEqual(['dkim/pass', 'dkim/key-outside-seen-period']);
    expect(later[1]!.detail).toMatch(/first seen .*, 200 days after the message time/);
    expect(codesOf(await run({ signatures: [{ domain: 'example.org', keyFirstSeen: asOf - 86400, keyLastSeen: asOf + 86400 }] }))).toEqual([
      'dkim/pass',
    ]);
    expect(codesOf(await run({ signatures: [{ domain: 'example.org', keyFirstSeen: asOf + 10 * 86400, keyLastSeen: null }] }))).toEqual([
      'dkim/pass',
    ]);
  });

  it('maps key and syntax problems to their own codes', async () => {
    const sig = async (fields: object) => codesOf(await run({ signatures: [{ domain: 'example.org', ...fields }] }));
    expect(await sig({ result: 'neutral', problem: 'no-key', comment: 'no key', keySource: null, keyError: 'not-in-store' })).toEqual([
      'dkim/key-unknown',
    ]);
    expect(await sig({ result: 'permerror', problem: 'key-unusable', comment: 'invalid public key', keyRevoked: true })).toEqual([
      'dkim/key-revoked',
    ]);
    expect(await sig({ result: 'permerror', problem: 'key-unusable', comment: 'unknown key type' })).toEqual(['dkim/key-invalid']);
    expect(await sig({ result: 'temperror', comment: 'DNS failure: ETIMEOUT', keyError: 'TIMEOUT' })).toEqual(['dkim/temperror']);
    expect(await sig({ result: 'neutral', problem: 'expired', comment: 'expired', expiresAt: 100 })).toEqual(['dkim/expired']);
    expect(await sig({ result: 'permerror', problem: 'syntax', comment: 'signature missing required tag', version: null })).toEqual([
      'dkim/malformed',
    ]);
    expect(await sig({ result: 'permerror', problem: 'from-not-signed', comment: 'From field not signed' })).toEqual([
      'dkim/from-not-signed',
    ]);
    expect(
      await sig({
        result: 'permerror',
        problem: 'not-evaluated',
        comment: 'not evaluated: only the first 5 signatures of a message are checked',
      }),
    ).toEqual(['dkim/not-evaluated']);
    expect(await sig({ result: 'policy', problem: 'weak-algorithm', comment: 'weak algorithm', algorithm: 'rsa-sha1' })).toEqual([
      'dkim/sha1',
    ]);
  });

  it('emits only documented codes', async () => {
    const all = [
      await run({}, { signingDomains: new Map([['example.org', null]]) }),
      await run({ signatures: [{ domain: 'example.org', result: 'fail', bodyHash: 'fail', algorithm: 'rsa-sha1' }] }),
    ].flat();
    for (const f of all) expect(check.codes[f.code], f.code).toBeDefined();
  });
});

describe('dkim check on third-party and list signatures', () => {
  it('does not call a message an unsigned spoof when a third party signature verifies (real corpus: dkimpy ed25519-exim-prototype)', async () => {
    const known = { signingDomains: new Map([['example.org', null]]) };
    expect(codesOf(await run({ signatures: [{ domain: 'esp.example.com' }] }, known))).toEqual(['dkim/unaligned']);
    // A third party's signature that does not verify leaves the spoof reported.
    expect(codesOf(await run({ signatures: [{ domain: 'esp.example.com', result: 'fail', bodyHash: 'fail' }] }, known))).toContain(
      'dkim/missing-signature',
    );
  });

  it('makes changed signed headers weak on list mail: a list rewrites what it forwards', async () => {
    const list = await run({
      headers: [...HEADERS, 'List-Id: <team.example.org>'],
      signatures: [{ domain: 'example.org', result: 'fail' }],
    });
    expect(list.map((x) => [x.code, x.severity])).toEqual([['dkim/bad-signature', 'weak']]);
  });
});
