import { describe, expect, it } from 'vitest';
import { check, resemblance, ResemblanceIndex } from '../../src/checks/lookalike-domain.ts';
import { integersFrom } from '../helpers/seeded-random.ts';
import { codesOf, runCheck } from './fixtures.ts';

async function signedBy(from: string, signer: string) {
  return await runCheck(check, { headers: [`From: Treasurer <treasurer@${from}>`, 'Subject: Invoice'], signatures: [{ domain: signer }] });
}

describe('lookalike-domain', () => {
  it('accepts a signature by the From domain or its parent', async () => {
    expect(await signedBy('example.com', 'example.com')).toEqual([]);
    expect(await signedBy('mail.example.com', 'example.com')).toEqual([]);
  });

  it('accepts an unrelated third-party signer (an e-mail service provider)', async () => {
    expect(await signedBy('example.com', 'sendgrid.net')).toEqual([]);
    expect(await signedBy('example.com', 'amazonses.com')).toEqual([]);
  });

  it('accepts an unaligned signer of the same registrable domain', async () => {
    expect(
      await runCheck(check, { headers: ['From: a@news.example.com'], signatures: [{ domain: 'bounces.example.com', aligned: false }] }),
    ).toEqual([]);
  });

  it('reports a signer one letter away', async () => {
    const findings = await signedBy('paypal.com', 'paypai.com');
    expect(codesOf(findings)).toEqual(['lookalike-domain/signer']);
    expect(findings[0]!.detail).toBe(
      'The message claims to be from paypal.com but is signed by paypai.com, a different domain that looks like it (1 letter(s) changed).',
    );
    expect(findings[0]!.evidence).toMatchObject({ signer: 'paypai.com', fromDomain: 'paypal.com' });
  });

  it('reports swapped letters and two edits on long names', async () => {
    expect(codesOf(await signedBy('example.com', 'exmaple.com'))).toEqual(['lookalike-domain/signer']);
    expect(codesOf(await signedBy('newsroom.org', 'newsrooom.org'))).toEqual(['lookalike-domain/signer']);
    expect(codesOf(await signedBy('newsroom.org', 'newzrooom.org'))).toEqual(['lookalike-domain/signer']);
  });

  it('does not treat short names a letter apart as look-alikes', async () => {
    expect(await signedBy('ibm.com', 'ing.com')).toEqual([]);
    expect(await signedBy('hp.com', 'hpe.com')).toEqual([]);
  });

  it('reports digits for letters (0 for o, 1 for l) and rn for m', async () => {
    expect((await signedBy('google.com', 'g00gle.com'))[0]!.evidence).toMatchObject({
      reasons: ['letters swapped for look-alike characters'],
    });
    expect(codesOf(await signedBy('apple.com', 'app1e.com'))).toEqual(['lookalike-domain/signer']);
    expect(codesOf(await signedBy('microsoft.com', 'rnicrosoft.com'))).toEqual(['lookalike-domain/signer']);
  });

  it('reports a punycode signer that reads as the From name (Cyrillic a)', async () => {
    const findings = await signedBy('paypal.com', 'xn--pypal-4ve.com');
    expect(codesOf(findings)).toEqual(['lookalike-domain/signer']);
    expect(findings[0]!.detail).toContain('punycode for "pаypal"');
  });

  it('reports the same name under another suffix, and a hyphenated variant', async () => {
    expect((await signedBy('example.com', 'example.co'))[0]!.detail).toContain('same name under another suffix (.co)');
    expect((await signedBy('example.co.uk', 'example.com'))[0]!.detail).toContain('same name under another suffix (.com)');
    expect((await signedBy('example.com', 'example-mail.com'))[0]!.detail).toContain('the From name with a hyphenated word added');
    expect(codesOf(await signedBy('example.com', 'secure-example.com'))).toEqual(['lookalike-domain/signer']);
    expect((await signedBy('my-bank.com', 'mybank.com'))[0]!.detail).toContain('the From name with hyphens moved');
  });

  it('reports one finding per signing domain', async () => {
    const findings = await runCheck(check, {
      headers: ['From: a@example.com'],
      signatures: [{ domain: 'examp1e.com' }, { domain: 'examp1e.com', selector: 's2' }],
    });
    expect(codesOf(findings)).toEqual(['lookalike-domain/signer']);
  });

  it('reports a punycode From domain', async () => {
    const findings = await runCheck(check, { headers: ['From: ceo@xn--pypal-4ve.com'] });
    expect(codesOf(findings)).toEqual(['lookalike-domain/from']);
    expect(findings[0]!.detail).toContain('punycode for "pаypal.com"');
    expect(findings[0]!.detail).toContain('mixes Latin and Cyrillic letters');
  });

  it('reports a From domain written in mixed scripts without punycode', async () => {
    const findings = await runCheck(check, { headers: ['From: ceo@pаypal.com'] });
    expect(codesOf(findings)).toEqual(['lookalike-domain/from']);
    expect(findings[0]!.evidence).toMatchObject({ punycode: false, mixedLabels: [{ label: 'pаypal', scripts: ['Latin', 'Cyrillic'] }] });
  });

  it('reports a From label written only with Cyrillic letters that look Latin, not a plain international domain', async () => {
    const spoof = await runCheck(check, { headers: [`From: ceo@${'\u0430\u0440\u0440\u04cf\u0435'}.com`] });
    expect(codesOf(spoof)).toEqual(['lookalike-domain/from']);
    expect(spoof[0]!.detail).toContain('only with Cyrillic letters that look Latin');
    expect(await runCheck(check, { headers: ['From: info@xn--mnchen-3ya.de'] })).toEqual([]);
    expect(await runCheck(check, { headers: ['From: info@xn--e1afmkfd.xn--p1ai'] })).toEqual([]);
  });

  it('reads a From domain in ASCII as an international name where it is one: punycode in capitals, percent escapes', async () => {
    // The check skips the conversions for plain ASCII names; these are ASCII but read otherwise.
    expect(codesOf(await runCheck(check, { headers: ['From: ceo@XN--PYPAL-4VE.COM'] }))).toEqual(['lookalike-domain/from']);
    const escaped = await runCheck(check, { headers: ['From: ceo@p%D0%B0ypal.com'] });
    expect(codesOf(escaped)).toEqual(['lookalike-domain/from']);
    expect(escaped[0]!.evidence).toMatchObject({ unicode: 'p\u0430ypal.com' });
    for (const plain of ['ceo@paypal.com', 'ceo@PAYPAL.COM', 'ceo@mail-1.example.co.uk', 'ceo@[192.0.2.1]', 'ceo@bad_name.example'])
      expect(await runCheck(check, { headers: [`From: ${plain}`] })).toEqual([]);
  });

  it('accepts a single-script Unicode name and Latin mixed with CJK', async () => {
    expect(await runCheck(check, { headers: ['From: info@пример.рф'] })).toEqual([]);
    expect(await runCheck(check, { headers: ['From: info@東京abc.jp'] })).toEqual([]);
  });

  it('finds nothing without a From address or signatures', async () => {
    expect(await runCheck(check, { headers: ['Subject: hello'] })).toEqual([]);
    expect(await runCheck(check, { headers: ['From: undisclosed-recipients:;'], signatures: [{ domain: 'example.com' }] })).toEqual([]);
  });
});

describe('ResemblanceIndex', () => {
  it('finds every domain resemblance finds a reason for (but another suffix), among seeded near-miss names', () => {
    const next = integersFrom(7);
    const bases = ['example', 'aldermoor', 'ibm', 'hp', 'bank-of-x', 'xn--exmple-cua', 'paypal', 'a'.repeat(30), 'mail-example', 'examp1e'];
    const letters = 'abcdeilmnorst01-аео';
    const mutate = (label: string): string => {
      let out = label;
      for (let k = next(4); k > 0; k--) {
        const at = next(out.length + 1);
        const op = next(4);
        const c = letters[next(letters.length)]!;
        if (op === 0) out = out.slice(0, at) + c + out.slice(at);
        else if (op === 1) out = out.slice(0, at) + out.slice(at + 1);
        else if (op === 2) out = out.slice(0, at) + c + out.slice(at + 1);
        else out = `${out}-${bases[next(bases.length)]}`;
      }
      return out || 'x';
    };
    const suffixes = ['example', 'com', 'co.uk', 'org'];
    const domain = (): string => `${mutate(bases[next(bases.length)]!)}.${suffixes[next(suffixes.length)]}`;
    const known = Array.from({ length: 300 }, domain);
    const index = new ResemblanceIndex(known);
    let resembling = 0;
    for (let q = 0; q < 1500; q++) {
      const from = domain();
      const found = new Set(index.candidates(from));
      known.forEach((k, at) => {
        const why = resemblance(from, k).filter((w) => !w.startsWith('same name under another suffix'));
        if (why.length === 0) return;
        resembling++;
        expect(found.has(at), `${from} resembles ${k}`).toBe(true);
      });
    }
    // The comparison meant something: many pairs resemble.
    expect(resembling).toBeGreaterThan(1000);
  });
});
