// Where a generated leak lives: DIR/dump (the dump), DIR/keys (the key files), DIR/truth.json.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const dumpDir = (out: string): string => join(out, 'dump');
export const keysDir = (out: string): string => join(out, 'keys');
export const truthFile = (out: string): string => join(out, 'truth.json');

/** True when DIR has none of the generator's outputs (so nothing of someone else's is replaced). */
export function mailboxesAreEmpty(out: string): boolean {
  if (!existsSync(out)) return true;
  const names = readdirSync(out);
  return !names.includes('dump') && !names.includes('keys') && !names.includes('truth.json');
}
