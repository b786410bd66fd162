// Creates the leak's test keys ONCE (`npx node test-corpus/leak/make-keys.ts`); the generator only
// reads them, so a seed always gives the same dump. Refuses to replace existing keys without --force.
// TEST KEYS ONLY: the private halves are public in this repository, never trust them.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { LEAK_KEYS, LEAK_KEYS_DIR, leakPrivateKeyFile, leakTxtFile, type LeakKey } from './key-specs.ts';

function makeKeyPair(key: LeakKey): { privateKey: KeyObject; publicKey: KeyObject } {
  if (key.type === 'ed25519') return generateKeyPairSync('ed25519');
  return generateKeyPairSync('rsa', { modulusLength: key.bits ?? 2048 });
}

/** The TXT value its owner publishes: SPKI for RSA, the raw 32-byte key for ed25519 (RFC 8463). */
function txtValue(key: LeakKey, publicKey: KeyObject): string {
  if (key.type === 'ed25519') {
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
    return `v=DKIM1; k=ed25519; p=${raw.toString('base64')}`;
  }
  return `v=DKIM1; k=rsa; p=${publicKey.export({ format: 'der', type: 'spki' }).toString('base64')}`;
}

const force = process.argv.includes('--force');
mkdirSync(LEAK_KEYS_DIR, { recursive: true });
let made = 0;
for (const key of LEAK_KEYS) {
  if (existsSync(leakPrivateKeyFile(key)) && !force) continue;
  const { privateKey, publicKey } = makeKeyPair(key);
  writeFileSync(leakPrivateKeyFile(key), privateKey.export({ format: 'pem', type: 'pkcs8' }));
  writeFileSync(leakTxtFile(key), `${txtValue(key, publicKey)}\n`);
  made++;
}
process.stderr.write(`made ${made} key(s) in ${LEAK_KEYS_DIR.pathname} (${force ? 'existing ones replaced' : 'existing ones kept'})\n`);
