// The two signers of the corpus. mailauth does everything (ed25519, sha1, l=, t=, x=, simple
// canonicalization); dkim-signer signs one plain rsa-sha256 relaxed message because the project
// lists it as the corpus signer. Both only prepend a header: the message bytes are never rewritten.
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { DKIMSign } from 'dkim-signer';
import { CRLF } from './message-text.ts';
import { readPrivateKey } from './key-list.ts';

export interface MailauthSignSpec {
  with: 'mailauth';
  domain: string;
  selector: string;
  /** t= tag; defaults to the signing step of the message's transit. */
  signTime?: Date;
  /** Sign with this key instead of the one published at `selector` (e.g. a selector absent from the key store). */
  keyFrom?: { domain: string; selector: string };
  algorithm?: 'rsa-sha256' | 'rsa-sha1' | 'ed25519-sha256';
  canonicalization?: 'relaxed/relaxed' | 'simple/simple' | 'relaxed/simple' | 'simple/relaxed';
  expires?: Date;
  /** l= tag: the number of canonicalized body bytes the signature covers. */
  maxBodyLength?: number;
  headerList?: string;
}

export interface DkimSignerSpec {
  with: 'dkim-signer';
  domain: string;
  selector: string;
  headerFieldNames: string;
}

export type SignSpec = MailauthSignSpec | DkimSignerSpec;

export async function signMessage(message: string, spec: SignSpec, signTime: Date): Promise<string> {
  return spec.with === 'mailauth' ? signWithMailauth(message, spec, spec.signTime ?? signTime) : signWithDkimSigner(message, spec);
}

async function signWithMailauth(message: string, spec: MailauthSignSpec, signTime: Date): Promise<string> {
  const key = spec.keyFrom ?? spec;
  const signature = {
    signingDomain: spec.domain,
    selector: spec.selector,
    privateKey: readPrivateKey(key.domain, key.selector),
    ...(spec.algorithm ? { algorithm: spec.algorithm } : {}),
    ...(spec.canonicalization ? { canonicalization: spec.canonicalization } : {}),
    ...(spec.maxBodyLength !== undefined ? { maxBodyLength: spec.maxBodyLength } : {}),
    ...(spec.headerList ? { headerList: spec.headerList } : {}),
  };
  // The options type wants the signature fields at the top level too, but mailauth 7.1.0 only
  // signs what is in `signatureData` (top-level fields alone yield no signature and no error).
  const result = await dkimSign(Buffer.from(message, 'latin1'), {
    ...signature,
    signTime,
    ...(spec.expires ? { expires: spec.expires } : {}),
    signatureData: [signature],
  });
  if (result.errors.length > 0 || !result.signatures) {
    throw new Error(`mailauth could not sign for ${spec.domain}: ${result.errors.map((e) => e.err.message).join('; ')}`);
  }
  return result.signatures + message;
}

function signWithDkimSigner(message: string, spec: DkimSignerSpec): string {
  // dkim-signer hashes a UTF-8 string: only 7-bit messages come out right (LIBRARIES.md).
  if (/[\u0080-\uffff]/.test(message)) throw new Error('dkim-signer signs 7-bit messages only');
  const header = DKIMSign(message, {
    domainName: spec.domain,
    keySelector: spec.selector,
    privateKey: readPrivateKey(spec.domain, spec.selector),
    headerFieldNames: spec.headerFieldNames,
  });
  return header + CRLF + message;
}
