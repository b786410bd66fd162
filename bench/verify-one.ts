// One verifier process per message, the way batch scripts do it: start Node, load mailauth, verify
// one file offline, print the result, exit. The bench runs it once per message of a sample.
//   node bench/verify-one.ts <message.eml> <zone>
import { readFileSync } from 'node:fs';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';

const [file, zoneFile] = process.argv.slice(2) as [string, string];
const keys = new Map<string, string>();
for (const m of readFileSync(zoneFile, 'utf8').matchAll(/^(\S+)\._domainkey\.(\S+?)\.?\s+IN\s+TXT\s+((?:"[^"]*"\s*)+)/gm)) {
  keys.set(`${m[1]}._domainkey.${m[2]}`, [...m[3]!.matchAll(/"([^"]*)"/g)].map((x) => x[1]).join(''));
}
const resolver = async (name: string) => {
  const v = keys.get(name.toLowerCase());
  if (!v) throw Object.assign(new Error('no key'), { code: 'ENOTFOUND' });
  return [[v]];
};
const v = await dkimVerify(readFileSync(file), { resolver } as Parameters<typeof dkimVerify>[1]);
process.stdout.write(`${(v.results as { status?: { result?: string } }[]).map((r) => r.status?.result).join(';')}\n`);
