// The only adapter over libqp: quoted-printable bodies decoded as mailparser decodes them.
import { createRequire } from 'node:module';

const libqp = createRequire(import.meta.url)('libqp') as { decode(s: string): Buffer };

export function decodeQuotedPrintable(bytes: Buffer): Buffer {
  return libqp.decode(bytes.toString('latin1'));
}
