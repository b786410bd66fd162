// Creates the corpus test keys ONCE (`npx node test-corpus/make-keys.ts`). The generator never
// makes keys, so the committed corpus stays byte-stable; this refuses to overwrite without --force.
// TEST KEYS ONLY: the private halves are public in this repository, never trust them.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { KEY_SPECS, KEYS_DIR, formatZoneLine, keyName, privateKeyFile, txtValueFile, type TestKeySpec } from './key-list.ts';

function makeKeyPair(spec: TestKeySpec): { privateKey: KeyObject; publicKey: KeyObject } {
  if (spec.type === 'ed25519') return generateKeyPairSync('ed25519');
  return generateKeyPairSync('rsa', { modulusLength: spec.bits ?? 2048 });
}

/** The TXT value a DNS operator would publish: SPKI for RSA, the raw 32-byte key for ed25519. */
function txtValue(spec: TestKeySpec, publicKey: KeyObject): string {
  if (spec.type === 'ed25519') {
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
    return `v=DKIM1; k=ed25519; p=${raw.toString('base64')}`;
  }
  return `v=DKIM1; k=rsa; p=${publicKey.export({ format: 'der', type: 'spki' }).toString('base64')}`;
}

const force = process.argv.includes('--force');
if (!force && KEY_SPECS.some((spec) => existsSync(privateKeyFile(spec)))) {
  process.stderr.write('keys exist already; pass --force to replace them (and regenerate the corpus)\n');
  process.exit(1);
}
mkdirSync(KEYS_DIR, { recursive: true });

const zone = [
  '; leaktriage test corpus keys: TEST ONLY, the private keys are in this repository. Never trust.',
  '; Made by test-corpus/make-keys.ts.',
];
const values = new Map<string, string>();
for (const spec of KEY_SPECS) {
  const { privateKey, publicKey } = makeKeyPair(spec);
  const value = txtValue(spec, publicKey);
  writeFileSync(privateKeyFile(spec), privateKey.export({ format: 'pem', type: 'pkcs8' }));
  writeFileSync(txtValueFile(spec), `${value}\n`);
  values.set(keyName(spec), value);
  zone.push(`; ${spec.note}`, formatZoneLine(keyName(spec), value));
}
const zoneText = `${zone.join('\n')}\n`;
writeFileSync(new URL('corpus.zone', KEYS_DIR), zoneText);
// The demo dump uses the same keys; a separate file so the README's demo command names its own.
writeFileSync(new URL('demo.zone', KEYS_DIR), zoneText);

// The shape of a DKIM key-archive answer (archive.prove.email `GET /api/key?domain=D`).
const archive = [
  {
    domain: 'campaign.example',
    selector: 'rot2023',
    firstSeenAt: '2023-05-02T11:04:17.000Z',
    lastSeenAt: '2024-03-01T06:12:40.000Z',
    value: values.get('rot2023._domainkey.campaign.example'),
  },
];
writeFileSync(new URL('archive.json', KEYS_DIR), `${JSON.stringify(archive, null, 2)}\n`);
process.stderr.write(`wrote ${KEY_SPECS.length} keys to ${KEYS_DIR.pathname}\n`);
