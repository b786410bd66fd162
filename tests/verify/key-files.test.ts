import { describe, expect, it } from 'vitest';
import { readKeyFile, splitKeyName } from '../../src/verify/key-files.ts';
import { describeKey, KeyIndex } from '../../src/verify/key-index.ts';

const P1024 =
  'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCyBwu6PiaDN87t3DVZ84zIrEhCoxtFuv7g52oCwAUXTDnXZ+0XHM/rhkm8XSGr1yLsDc1zLGX8IfITY1dL2CzptdgyiX7vgYjzZqG368C8BtGB5m6nj26NyhSKEdlV7MS9KbASd359ggCeGTT5QjRKEMSauVyVSeapq6ZcpZ9JwQIDAQAB';

describe('zone files', () => {
  it('joins several quoted strings without separators and keeps the file as source', () => {
    const text = `; comment\nsel._domainkey.example.org. IN TXT "v=DKIM1; k=rsa; " "p=${P1024.slice(0, 100)}" "${P1024.slice(100)}"\n`;
    const { records, ignored } = readKeyFile(text, '/tmp/some/keys.zone');
    expect(ignored).toEqual([]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      name: 'sel._domainkey.example.org',
      domain: 'example.org',
      selector: 'sel',
      source: 'zone:keys.zone',
      sourceKind: 'zone',
    });
    expect(records[0]!.value).toBe(`v=DKIM1; k=rsa; p=${P1024}`);
    expect(describeKey(records[0]!.value)).toEqual({ keyType: 'rsa', keyBits: 1024, revoked: false });
  });

  it('understands $ORIGIN, TTLs, parentheses over several lines and semicolons inside quotes', () => {
    const text = `$ORIGIN example.net.\nmail._domainkey 3600 IN TXT ( "v=DKIM1; p=${P1024.slice(0, 50)}"\n   "${P1024.slice(50)}" ) ; trailing comment\n`;
    const { records } = readKeyFile(text, 'z.zone');
    expect(records[0]!.name).toBe('mail._domainkey.example.net');
    expect(records[0]!.value).toBe(`v=DKIM1; p=${P1024}`);
  });

  it('reports lines it cannot use instead of dropping them silently', () => {
    const { records, ignored } = readKeyFile('www.example.org. IN TXT "hello"\nexample.org. IN MX 10 mx\n', 'z.zone');
    expect(records).toHaveLength(0);
    expect(ignored).toHaveLength(2);
  });
});

describe('JSON key files', () => {
  it('reads the corpus shape with simulated DNS errors', () => {
    const json = JSON.stringify({
      keys: { 'a._domainkey.x.org': { txt: [`p=${P1024}`] }, 'b._domainkey.x.org': { error: 'TIMEOUT', txt: null } },
    });
    const { records } = readKeyFile(json, 'keys.json');
    expect(records.map((r) => [r.name, r.dnsError, r.source])).toEqual([
      ['a._domainkey.x.org', null, 'json:keys.json'],
      ['b._domainkey.x.org', 'TIMEOUT', 'json:keys.json'],
    ]);
  });

  it("reads mailauth's DNS cache shape", () => {
    const json = JSON.stringify({ 's._domainkey.y.com': { TXT: [['v=DKIM1; ', `p=${P1024}`]] } });
    expect(readKeyFile(json, 'cache.json').records[0]!.value).toBe(`v=DKIM1; p=${P1024}`);
  });

  it('reads a key-archive export with first/last seen dates', () => {
    const json = JSON.stringify([
      { domain: 'z.org', selector: 'k1', value: `p=${P1024}`, firstSeenAt: '2021-01-01T00:00:00Z', lastSeenAt: null },
    ]);
    const r = readKeyFile(json, 'archive.json').records[0]!;
    expect(r).toMatchObject({ sourceKind: 'archive', source: 'archive:archive.json', firstSeen: 1609459200, lastSeen: null });
  });

  it('rejects a file that is neither JSON nor zone text with a clear error', () => {
    expect(() => readKeyFile('{ not json', 'bad.json')).toThrow(/bad.json: not valid JSON/);
  });
});

describe('key index', () => {
  it('prefers the record seen at the message time, then undated records, then the nearest', () => {
    const base = {
      name: 's._domainkey.d.org',
      domain: 'd.org',
      selector: 's',
      sourceKind: 'archive' as const,
      source: 'a',
      fetchedAt: null,
      dnsError: null,
    };
    const old = { ...base, value: 'p=OLD', firstSeen: 1000, lastSeen: 2000 };
    const recent = { ...base, value: 'p=NEW', firstSeen: 3000, lastSeen: null };
    const undated = { ...base, value: 'p=ZONE', firstSeen: null, lastSeen: null, sourceKind: 'zone' as const };
    const idx = new KeyIndex([recent, undated, old]);
    expect(idx.candidates('s._domainkey.d.org', 1500).map((r) => r.value)).toEqual(['p=OLD', 'p=ZONE', 'p=NEW']);
    expect(idx.candidates('S._domainkey.D.org.', 5000)[0]!.value).toBe('p=NEW');
    expect(idx.signingDomains().get('d.org')).toBe(1000);
  });

  it('treats an empty p= as revoked and a raw 32-byte key as ed25519', () => {
    expect(describeKey('v=DKIM1; p=').revoked).toBe(true);
    expect(describeKey(`k=ed25519; p=${Buffer.alloc(32, 7).toString('base64')}`)).toEqual({
      keyType: 'ed25519',
      keyBits: 256,
      revoked: false,
    });
    expect(splitKeyName('example.org')).toBeNull();
  });
});
