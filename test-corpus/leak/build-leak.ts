// Builds a whole leak: the organisation's mail over the period, the planted forgeries, the dump as
// a journalist receives it, the key files they would bring, and the truth (kept outside the dump).
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { plantForgeries, FORGERY_TECHNIQUES } from './forgeries.ts';
import { mailboxesAreEmpty } from './leak-paths.ts';
import { writeMailboxes } from './mailboxes.ts';
import { PostOffice } from './post-office.ts';
import { createRandom } from './random.ts';
import { Scenario } from './scenario.ts';
import { resetScannerCounter } from './services.ts';
import { isValidlySigned, signatureTags, writeKeyFiles, type Truth, type TruthEntry } from './truth.ts';
import { getValue } from './mime.ts';

export const GENERATOR_VERSION = 7;
export const DEFAULT_MESSAGES = 3000;
export const DEFAULT_SEED = 'aldermoor';
/** Share of the dump per forgery technique ("about 2 % each"). */
export const FORGERY_SHARE = 0.02;

export interface BuildOptions {
  out: string;
  messages?: number;
  seed?: string;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export async function buildLeak(options: BuildOptions): Promise<Truth> {
  const messages = options.messages ?? DEFAULT_MESSAGES;
  const seed = options.seed ?? DEFAULT_SEED;
  const started = performance.now();
  const say = options.log ?? (() => {});
  const log = (line: string): void => say(`${((performance.now() - started) / 1000).toFixed(1)} s: ${line}`);
  if (existsSync(options.out) && !mailboxesAreEmpty(options.out)) {
    rmSync(join(options.out, 'dump'), { recursive: true, force: true });
    rmSync(join(options.out, 'keys'), { recursive: true, force: true });
    rmSync(join(options.out, 'truth.json'), { force: true });
  }
  const rng = createRandom(seed);
  resetScannerCounter();
  const po = new PostOffice(rng.fork('post'));
  const scenario = new Scenario(po, rng.fork('scenario'));
  const perTechnique = Math.max(2, Math.round(messages * FORGERY_SHARE));
  const added = FORGERY_TECHNIQUES.filter((t) => t.placement === 'added').length * perTechnique;
  await scenario.run(messages - added);
  log(`${po.copies.length} authentic copies of ${po.letters.length} messages`);
  await plantForgeries(po, scenario, rng.fork('forgeries'), perTechnique);
  log('forgeries planted');

  const dumpDir = join(options.out, 'dump');
  mkdirSync(dumpDir, { recursive: true });
  const stored = writeMailboxes(dumpDir, po.copies, rng.fork('mailboxes'));
  writeKeyFiles(join(options.out, 'keys'));
  log('mailboxes written');

  const truth: Truth = {
    generator: { seed, messages: stored.length, version: GENERATOR_VERSION },
    counts: { techniques: {}, tags: {}, authentic: 0, forgeries: 0 },
    messages: {},
  };
  for (const s of stored) {
    const messageId = getValue(s.copy.message, 'message-id') ?? '';
    let entry: TruthEntry;
    if (s.copy.forgery) {
      entry = { sha256: s.sha256, kind: 'forgery', technique: s.copy.forgery.technique, note: s.copy.forgery.note, messageId };
      truth.counts.techniques[entry.technique] = (truth.counts.techniques[entry.technique] ?? 0) + 1;
      truth.counts.forgeries++;
    } else {
      const tags = [...new Set([...s.copy.tags, ...signatureTags(s.bytes)])].sort();
      entry = { sha256: s.sha256, kind: 'authentic', tags, validlySigned: await isValidlySigned(s.bytes), messageId };
      for (const tag of tags) truth.counts.tags[tag] = (truth.counts.tags[tag] ?? 0) + 1;
      truth.counts.authentic++;
    }
    truth.messages[s.path] = entry;
  }
  writeFileSync(join(options.out, 'truth.json'), `${JSON.stringify(truth, null, 1)}\n`);
  log(`wrote ${stored.length} messages (${truth.counts.forgeries} forgeries) to ${dumpDir}`);
  return truth;
}

export function listDump(out: string): string[] {
  return readdirSync(join(out, 'dump')).sort();
}
