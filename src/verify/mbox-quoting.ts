// mbox writers escape body lines that start with "From " as ">From " (and mboxrd ">From " as
// ">>From "), so a message taken byte for byte out of an mbox no longer has the body its signer
// signed. The stored bytes stay as found; verification may be retried on the unescaped body.

const QUOTED_FROM = /(^|\n)>(>*From )/g;

/** The message with one ">" taken off every line matching ^>+From in the body; null if there is none. */
export function unquoteMboxFrom(bytes: Buffer, bodyStart: number): Buffer | null {
  const body = bytes.toString('latin1', bodyStart);
  if (!/(^|\n)>+From /.test(body)) return null;
  return Buffer.concat([bytes.subarray(0, bodyStart), Buffer.from(body.replace(QUOTED_FROM, '$1$2'), 'latin1')]);
}
