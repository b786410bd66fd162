// The servers between sender and mailbox, each with its own fingerprint: the organisation's Postfix
// (submission, amavis, Dovecot LMTP, an outbound relay that signs with OpenDKIM, an MX whose milters
// write Authentication-Results under its own authserv-id), the hosted suite (mapi hops, outbound ARC,
// Authentication-Results with no authserv-id), the webmail (X-Received, ARC on receipt, Pacific
// times), the coalition's Exim (l= signatures), an ISP, a lost personal domain, a newsletter provider
// and an HR service. Receivers really verify what arrives (mailauth, with every key of the world at
// the time of receipt), so every Authentication-Results in an honest message tells the truth.
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { arc as verifyArc, sealMessage } from 'mailauth/lib/arc/index.js';
import type { DKIMVerifyResult } from 'mailauth';
import { HOUR, MINUTE, formatMailDate, type ZoneId } from './clock.ts';
import { leakKeyAt, loadLeakKeys, leakKeyName, type LoadedKey } from './key-specs.ts';
import { gatewayMarks, markExternal } from './gateway.ts';
import { CRLF, fieldValue, findField, getValue, prependFields, serialize, toBuffer, type RawMessage } from './mime.ts';
import type { Random } from './random.ts';
import { ALDERMOOR_ROTATION, QUILL_ROTATION, type ClientId, type Person, type PlatformId } from './world.ts';

// ---------------------------------------------------------------------------------------------
// Keys, signing, verifying and sealing

let keys: Map<string, LoadedKey> | null = null;
export function worldKeys(): Map<string, LoadedKey> {
  keys ??= loadLeakKeys();
  return keys;
}

/** DNS as the world saw it at time `at` (ms): every key, including those the journalist cannot get. */
export function worldResolverAt(at: number): (name: string) => Promise<string[][]> {
  return async (name) => {
    const key = leakKeyAt(worldKeys(), name.toLowerCase(), at);
    if (!key) throw Object.assign(new Error(`no TXT for ${name}`), { code: 'ENOTFOUND' });
    return [[key.txt]];
  };
}

export interface SignSpec {
  domain: string;
  selector: string;
  canonicalization?: 'relaxed/relaxed' | 'relaxed/simple' | 'simple/simple' | 'simple/relaxed';
  headerList?: string;
  /** Sign only the body as it is now (l=, its length in canonical bytes). */
  bodyLength?: boolean;
  expiresAfterMs?: number;
  algorithm?: 'rsa-sha256' | 'ed25519-sha256';
}

/** Prepends a DKIM-Signature made with the leak's key for domain/selector at time `at`. */
export async function signMessage(message: RawMessage, spec: SignSpec, at: number): Promise<RawMessage> {
  const key = leakKeyAt(worldKeys(), leakKeyName(spec), at);
  if (!key) throw new Error(`no key for ${spec.selector}._domainkey.${spec.domain}`);
  const bytes = toBuffer(message);
  const signature = {
    signingDomain: spec.domain,
    selector: spec.selector,
    privateKey: key.privateKey,
    canonicalization: spec.canonicalization ?? 'relaxed/relaxed',
    ...(spec.algorithm ? { algorithm: spec.algorithm } : {}),
    ...(spec.headerList ? { headerList: spec.headerList } : {}),
    ...(spec.bodyLength ? { maxBodyLength: canonicalBodyLength(message, spec.canonicalization ?? 'relaxed/relaxed') } : {}),
  };
  const result = await dkimSign(bytes, {
    ...signature,
    signTime: new Date(at),
    ...(spec.expiresAfterMs ? { expires: new Date(at + spec.expiresAfterMs) } : {}),
    signatureData: [signature],
  });
  if (result.errors.length > 0 || !result.signatures) {
    throw new Error(`could not sign for ${spec.domain}: ${result.errors.map((e) => e.err.message).join('; ')}`);
  }
  const header = result.signatures.replace(/\r\n$/, '');
  return prependFields(message, header);
}

/** Length of the body under the body canonicalization (RFC 6376 3.4.3/3.4.4), for l=. */
export function canonicalBodyLength(message: RawMessage, canonicalization: string): number {
  const relaxed = canonicalization.split('/')[1] === 'relaxed';
  let body = message.body;
  if (relaxed) {
    body = body
      .split(CRLF)
      .map((line) => line.replace(/[ \t]+/g, ' ').replace(/ +$/, ''))
      .join(CRLF);
  }
  body = body.replace(/(\r\n)*$/, '');
  return body.length === 0 ? (relaxed ? 0 : 2) : body.length + 2;
}

export interface Verification {
  dkim: DKIMVerifyResult;
  arc: 'none' | 'pass' | 'fail';
}

/** Receivers of one flight see the same signatures: verified once per flight (the hop they add is unsigned). */
const flightVerifications = new WeakMap<RawMessage, Promise<Verification>>();
function verifyFlight(flight: InFlight, arrived: RawMessage, at: number): Promise<Verification> {
  let v = flightVerifications.get(flight.message);
  if (!v) {
    v = verifyAtReceipt(arrived, at);
    flightVerifications.set(flight.message, v);
  }
  return v;
}

export async function verifyAtReceipt(message: RawMessage, at: number): Promise<Verification> {
  const resolver = worldResolverAt(at);
  const dkim = await dkimVerify(toBuffer(message), { resolver, curTime: new Date(at), minBitLength: 1024 });
  let arcStatus: Verification['arc'] = 'none';
  if (dkim.arc && dkim.arc.chain) {
    const result = await verifyArc(dkim.arc as Parameters<typeof verifyArc>[0], { resolver });
    const r = result.status.result;
    arcStatus = r === 'pass' ? 'pass' : r === 'none' ? 'none' : 'fail';
  }
  return { dkim, arc: arcStatus };
}

/** Prepends an ARC set (i = next instance) sealed by domain/selector, recording `authResults`. */
export async function sealArc(
  message: RawMessage,
  domain: string,
  selector: string,
  authResults: string,
  cv: 'none' | 'pass' | 'fail',
  at: number,
): Promise<RawMessage> {
  const key = worldKeys().get(`${selector}._domainkey.${domain}`);
  if (!key) throw new Error(`no ARC key ${selector}._domainkey.${domain}`);
  const headers = await sealMessage(toBuffer(message), {
    signingDomain: domain,
    selector,
    privateKey: key.privateKey,
    authResults,
    cv,
    signTime: new Date(at),
  });
  const text = headers.toString('latin1').replace(/\r\n$/, '');
  if (!text) throw new Error(`ARC sealing by ${domain} failed`);
  return prependFields(message, ...text.split(/\r\n(?![ \t])/));
}

// ---------------------------------------------------------------------------------------------
// Identities of hosts

export interface Relay {
  host: string;
  ip: string;
  helo?: string;
}

export const HOSTS = {
  aldermoorMail: { host: 'mail.aldermoor.example', ip: '10.0.0.10' },
  aldermoorOut: { host: 'smtp-out.aldermoor.example', ip: '203.0.113.25' },
  aldermoorMx: { host: 'mx.aldermoor.example', ip: '203.0.113.20' },
  aldermoorWebmail: { host: 'webmail.aldermoor.example', ip: '10.0.0.12' },
  aldermoorCloud: { host: 'cloud.aldermoor.example', ip: '10.0.0.31' },
  aldermoorMfp: { host: 'mfp-bru01.aldermoor.example', ip: '10.1.20.40' },
  civicMail: { host: 'mail.civic-network.example', ip: '198.18.50.10' },
  civicLists: { host: 'lists.civic-network.example', ip: '198.18.50.11' },
  netpost: { host: 'smtp.netpost.example', ip: '198.18.60.5' },
  oldmail: { host: 'kellerhaus.oldmail.test', ip: '198.18.70.9' },
  peoplehub: { host: 'smtp1.peoplehub.example', ip: '198.18.90.4' },
} as const satisfies Record<string, Relay>;

/** Which outbound relays each domain's SPF record allows. */
const SPF_ALLOWED: Record<string, (relay: Relay) => boolean> = {
  'aldermoor.example': (r) => r.host === HOSTS.aldermoorOut.host,
  'kestrel-partners.example': (r) => r.host.endsWith('.outbound.protection.cirrusmail.example'),
  'tilia-trust.example': (r) => r.host.endsWith('.outbound.protection.cirrusmail.example'),
  'quillmail.example': (r) => r.host.endsWith('.quillmail.example'),
  'brightwater-ngo.example': (r) => r.host.endsWith('.quillmail.example'),
  'civic-network.example': (r) => r.host.endsWith('.civic-network.example'),
  'lists.civic-network.example': (r) => r.host === HOSTS.civicLists.host,
  'netpost.example': (r) => r.host === HOSTS.netpost.host,
  'oldmail.test': (r) => r.host === HOSTS.oldmail.host,
  'bounces.sendloop-mail.example': (r) => r.host.endsWith('.sendloop-mail.example'),
  'peoplehub.example': (r) => r.host === HOSTS.peoplehub.host,
  'aldermoor-foundation.example': (r) => r.host.endsWith('.hostcloud.test'),
};

export function spfResult(mailFrom: string, relay: Relay): 'pass' | 'softfail' | 'fail' | 'none' {
  const domain = mailFrom.split('@')[1]?.toLowerCase() ?? '';
  const rule = SPF_ALLOWED[domain];
  if (!rule) return 'none';
  if (rule(relay)) return 'pass';
  return domain === 'aldermoor.example' || domain === 'kestrel-partners.example' ? 'fail' : 'softfail';
}

const DMARC_POLICY: Record<string, string> = {
  'aldermoor.example': 'quarantine',
  'kestrel-partners.example': 'reject',
  'tilia-trust.example': 'none',
  'quillmail.example': 'none',
  'brightwater-ngo.example': 'quarantine',
  'civic-network.example': 'none',
  'netpost.example': 'none',
  'peoplehub.example': 'reject',
  'eurobrief.example': 'none',
  'sendloop-mail.example': 'none',
  'aldermoor-foundation.example': 'none',
};

export function dmarcPolicy(domain: string): string | undefined {
  return DMARC_POLICY[organisational(domain)];
}

export function organisational(domain: string): string {
  const labels = domain.toLowerCase().split('.');
  return labels.slice(-2).join('.');
}

function fromDomain(message: RawMessage): string {
  const from = getValue(message, 'from') ?? '';
  const m = /<([^>]+)>/.exec(from) ?? /(\S+@\S+)/.exec(from);
  return (m?.[1] ?? '').split('@')[1]?.toLowerCase() ?? '';
}

// ---------------------------------------------------------------------------------------------
// Ids that servers write

/** Postfix queue id (short form): microseconds and inode bits in hex. */
export function postfixQueueId(at: number, rng: Random): string {
  const micros = ((at % 1000) * 1000 + rng.int(0, 999)) & 0xfffff;
  return `${micros.toString(16).toUpperCase().padStart(5, '0')}${rng.hex(rng.int(5, 6), true)}`;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function base62(n: number, width: number): string {
  let s = '';
  let x = Math.floor(n);
  for (let i = 0; i < width; i++) {
    s = BASE62[x % 62] + s;
    x = Math.floor(x / 62);
  }
  return s;
}

/** Exim 4.96 message id: seconds, pid and fraction in base 62. */
export function eximId(at: number, rng: Random): string {
  return `${base62(at / 1000, 6)}-${base62(rng.int(1000, 60000), 6)}-${base62(Math.floor((at % 1000) / 20), 2)}`;
}

function lmtpId(rng: Random): string {
  return rng.token(22, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
}

function quillSmtpId(at: number, rng: Random): string {
  const d = new Date(at);
  return `${rng.hex(13)}-${rng.hex(11)}si${rng.int(1000000, 9999999)}${rng.alnum(3).toLowerCase()}.${rng.int(10, 999)}.${d.getUTCFullYear()}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${String(d.getUTCDate()).padStart(2, '0')}.${String(d.getUTCHours()).padStart(2, '0')}.${String(d.getUTCMinutes()).padStart(2, '0')}.${String(d.getUTCSeconds()).padStart(2, '0')}`;
}

function quill2002(rng: Random): string {
  return `2002:a${rng.int(0, 9)}${rng.int(0, 9)}:${rng.hex(4)}:${rng.hex(3)}:b0:${rng.hex(3)}:${rng.hex(4)}`;
}

// ---------------------------------------------------------------------------------------------
// Authentication-Results as each receiver writes them

interface AuthFacts {
  verification: Verification;
  spf: ReturnType<typeof spfResult>;
  mailFrom: string;
  relay: Relay;
  fromDomain: string;
}

/** What a receiving server learns of a flight as it arrives: signatures (as of `at`), SPF, the From domain. */
async function judgeArrival(flight: InFlight, arrived: RawMessage, at: number): Promise<AuthFacts> {
  return {
    verification: await verifyFlight(flight, arrived, at),
    spf: spfResult(flight.mailFrom, flight.relay),
    mailFrom: flight.mailFrom,
    relay: flight.relay,
    fromDomain: fromDomain(arrived),
  };
}

function dkimRows(
  v: Verification,
): { result: string; d: string; s: string; i: string; b: string; bits: number; a: string; reason?: string }[] {
  return v.dkim.results
    .filter((r) => r.signingDomain)
    .map((r) => {
      const st = r.status;
      let result = st.result;
      let reason: string | undefined;
      if (st.result === 'neutral' && r.bodyHash && r.bodyHashExpecting && r.bodyHash !== r.bodyHashExpecting) {
        result = 'fail';
        reason = 'body hash did not verify';
      } else if (st.result === 'fail') {
        reason = 'signature verification failed';
      } else if (st.result === 'policy') {
        result = 'policy';
        reason = 'weak key';
      } else if (st.result === 'neutral') {
        reason = st.comment ?? 'no key';
      }
      const b = (r.signature ?? '').replace(/\s+/g, '').slice(0, 8);
      return {
        result,
        d: r.signingDomain!,
        s: r.selector ?? '',
        i: `@${r.signingDomain}`,
        b,
        bits: r.modulusLength ?? 0,
        a: r.algo ?? 'rsa-sha256',
        reason,
      };
    });
}

function dmarcOutcome(f: AuthFacts): { result: 'pass' | 'fail' | 'none'; policy?: string } {
  const policy = dmarcPolicy(f.fromDomain);
  if (!policy) return { result: 'none' };
  const org = organisational(f.fromDomain);
  const dkimAligned = dkimRows(f.verification).some((r) => r.result === 'pass' && organisational(r.d) === org);
  const spfAligned = f.spf === 'pass' && organisational(f.mailFrom.split('@')[1] ?? '') === org;
  return { result: dkimAligned || spfAligned ? 'pass' : 'fail', policy };
}

/** OpenDKIM + OpenDMARC + policyd-spf on the organisation's MX: two AR fields and Received-SPF. */
function aldermoorAuthFields(f: AuthFacts, rcpt: string): string[] {
  const out: string[] = [];
  const dmarc = dmarcOutcome(f);
  if (dmarc.result !== 'none') {
    out.push(
      `Authentication-Results: mx.aldermoor.example; dmarc=${dmarc.result} (p=${dmarc.policy} dis=none) header.from=${f.fromDomain}`,
    );
  } else {
    out.push(`Authentication-Results: mx.aldermoor.example; dmarc=none (p=none dis=none) header.from=${f.fromDomain}`);
  }
  const rows = dkimRows(f.verification);
  if (rows.length) {
    const parts = rows.map(
      (r) =>
        `dkim=${r.result} (${r.bits ? `${r.bits}-bit key` : 'unknown key'}; unprotected) header.d=${r.d} header.i=${r.i} header.a=${r.a} header.s=${r.s} header.b=${r.b}${r.reason && r.result !== 'pass' ? ` reason="${r.reason}"` : ''}`,
    );
    out.push(`Authentication-Results: mx.aldermoor.example;${CRLF}\t${parts.join(`;${CRLF}\t`)}`);
  }
  const spfWord = { pass: 'Pass', softfail: 'Softfail', fail: 'Fail', none: 'None' }[f.spf];
  out.push(
    `Received-SPF: ${spfWord} (mailfrom) identity=mailfrom; client-ip=${f.relay.ip}; helo=${f.relay.helo ?? f.relay.host}; envelope-from=${f.mailFrom}; receiver=${rcpt}`,
  );
  return out;
}

/** The hosted suite: no authserv-id, its own comments. */
function cirrusAuthField(f: AuthFacts): string {
  const rows = dkimRows(f.verification);
  const dkim = rows.length
    ? rows
        .map(
          (r) =>
            `dkim=${r.result} (${r.result === 'pass' ? 'signature was verified' : (r.reason ?? 'signature did not verify')}) header.d=${r.d}`,
        )
        .join(';')
    : 'dkim=none (message not signed) header.d=none';
  const dmarc = dmarcOutcome(f);
  const action =
    dmarc.result === 'fail' ? (dmarc.policy === 'reject' ? 'oreject' : dmarc.policy === 'quarantine' ? 'quarantine' : 'none') : 'none';
  const spfText =
    f.spf === 'pass'
      ? `spf=pass (sender IP is ${f.relay.ip}) smtp.mailfrom=${f.mailFrom.split('@')[1]}`
      : `spf=${f.spf} (sender IP is ${f.relay.ip}) smtp.mailfrom=${f.mailFrom.split('@')[1]}`;
  const compauth =
    dmarc.result === 'pass'
      ? 'compauth=pass reason=100'
      : dmarc.result === 'none'
        ? 'compauth=softpass reason=201'
        : 'compauth=fail reason=000';
  return `Authentication-Results: ${spfText};${CRLF} ${dkim};dmarc=${dmarc.result} action=${action}${CRLF} header.from=${f.fromDomain};${compauth}`;
}

/** The webmail's receiving MX, also used for its ARC-Authentication-Results. */
function quillAuthValue(f: AuthFacts): string {
  const rows = dkimRows(f.verification);
  const parts = rows.map((r) =>
    r.result === 'pass'
      ? `dkim=pass header.i=${r.i} header.s=${r.s} header.b=${r.b}`
      : `dkim=${r.result === 'fail' && r.reason === 'body hash did not verify' ? 'neutral (body hash did not verify)' : r.result} header.i=${r.i} header.s=${r.s} header.b=${r.b}`,
  );
  if (f.verification.arc !== 'none') parts.push(`arc=${f.verification.arc} (i=${arcInstances(f)})`);
  const spf =
    f.spf === 'pass'
      ? `spf=pass (quillmail.example: domain of ${f.mailFrom} designates ${f.relay.ip} as permitted sender) smtp.mailfrom=${f.mailFrom}`
      : `spf=${f.spf} (quillmail.example: domain of ${f.mailFrom} does not designate ${f.relay.ip} as permitted sender) smtp.mailfrom=${f.mailFrom}`;
  parts.push(spf);
  const dmarc = dmarcOutcome(f);
  if (dmarc.result !== 'none') {
    const p = (dmarc.policy ?? 'none').toUpperCase();
    parts.push(`dmarc=${dmarc.result} (p=${p} sp=${p} dis=NONE) header.from=${f.fromDomain}`);
  }
  return `mx.quillmail.example;${CRLF}       ${parts.join(`;${CRLF}       `)}`;
}

function arcInstances(f: AuthFacts): number {
  const chain = f.verification.dkim.arc?.chain;
  return chain ? chain.length : 0;
}

// ---------------------------------------------------------------------------------------------
// Received fields

function postfixReceived(opts: {
  from: Relay | string;
  by: string;
  with: string;
  id: string;
  rcpt?: string;
  at: number;
  zone?: ZoneId;
  auth?: string;
}): string {
  const from = typeof opts.from === 'string' ? opts.from : `${opts.from.helo ?? opts.from.host} (${opts.from.host} [${opts.from.ip}])`;
  const lines = [`Received: from ${from}`];
  if (opts.auth) lines.push(`\t(Authenticated sender: ${opts.auth})`);
  lines.push(`\tby ${opts.by} (Postfix) with ${opts.with} id ${opts.id}${opts.rcpt ? '' : ';'}`);
  if (opts.rcpt) lines.push(`\tfor <${opts.rcpt}>;`);
  lines.push(`\t${formatMailDate(opts.at, opts.zone ?? 'Europe/Brussels', { day: 'space', comment: true })}`);
  return lines.join(CRLF);
}

function lmtpReceived(
  by: string,
  from: Relay,
  mailFrom: string,
  rcpt: string,
  at: number,
  rng: Random,
  zone: ZoneId = 'Europe/Brussels',
): string {
  return [
    `Received: from ${from.host} ([${from.ip}])`,
    `\tby ${by} with LMTP`,
    `\tid ${lmtpId(rng)}`,
    `\t(envelope-from <${mailFrom}>)`,
    `\tfor <${rcpt}>; ${formatMailDate(at, zone)}`,
  ].join(CRLF);
}

function cirrusReceived(from: string, by: string, how: string, at: number): string {
  return `Received: from ${from}${CRLF} by ${by}${CRLF} ${how}; ${formatMailDate(at, 'UTC')}`;
}

const EXCHANGE_BUILD = (at: number): string =>
  at < Date.UTC(2024, 0, 1) ? '15.20.7113.021' : at < Date.UTC(2024, 6, 1) ? '15.20.7472.026' : '15.20.8069.015';

// ---------------------------------------------------------------------------------------------
// In flight

export interface InFlight {
  message: RawMessage;
  /** The true time the last server handed it on. */
  at: number;
  relay: Relay;
  mailFrom: string;
}

export interface DeliveryOptions {
  rng: Random;
  /** Extra delay before the receiving MX accepts (a slow relay, a queue). */
  delayMs?: number;
}

export const aldermoorSelector = (at: number): string => (at < ALDERMOOR_ROTATION ? 's2023' : 's2024');
export const quillSelector = (at: number): string => (at < QUILL_ROTATION ? '20230601' : '20240605');

const net = (rng: Random, base = 400, spread = 1600): number => rng.int(base, base + spread);

/** Where a device submits from: office, home, phone network, hotel. */
export interface Origin {
  helo: string;
  host: string;
  ip: string;
}

export function originFor(person: Person, client: ClientId, mobile: boolean, travelling: string | undefined, rng: Random): Origin {
  const n = (person.key.charCodeAt(0) * 7 + person.key.length * 13) % 200;
  if (travelling) {
    const ip = `192.0.2.${200 + (n % 50)}`;
    return {
      helo: mobile ? `[10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(2, 250)}]` : `[192.168.${rng.int(0, 3)}.${rng.int(2, 250)}]`,
      host: `guest-${ip.replace(/\./g, '-')}.hotel-wifi.example`,
      ip,
    };
  }
  if (mobile) {
    const ip = `192.0.2.${100 + (n % 90)}`;
    return {
      helo: `[10.${rng.int(64, 127)}.${rng.int(0, 255)}.${rng.int(2, 250)}]`,
      host: `mobile-${ip.replace(/\./g, '-')}.carrier.example`,
      ip,
    };
  }
  const office =
    { 'Europe/Brussels': '34', 'Europe/London': '77', 'Europe/Berlin': '120', 'Europe/Madrid': '150' }[person.zone as string] ?? '171';
  if (rng.chance(0.8)) return { helo: `[192.168.10.${20 + (n % 200)}]`, host: 'unknown', ip: `198.51.100.${office}` };
  const ip = `192.0.2.${1 + (n % 90)}`;
  return { helo: `[192.168.1.${10 + (n % 40)}]`, host: `cpe-${ip.replace(/\./g, '-')}.home-broadband.example`, ip };
}

/** Client to the organisation's submission server; the returned message is what Postfix queued. */
export function submitAldermoor(
  message: RawMessage,
  person: Person,
  client: ClientId,
  origin: Origin,
  at: number,
  rng: Random,
  rcpt?: string,
): InFlight {
  const id = postfixQueueId(at, rng);
  const received = postfixReceived({
    from: client === 'roundcube' ? HOSTS.aldermoorWebmail : `${origin.helo} (${origin.host} [${origin.ip}])`,
    by: HOSTS.aldermoorMail.host,
    with: 'ESMTPSA',
    id,
    rcpt,
    at,
    auth: person.address.split('@')[0],
  });
  return { message: prependFields(message, received), at, relay: HOSTS.aldermoorMail, mailFrom: person.address };
}

/** Local delivery in the organisation: amavis, then Dovecot LMTP. Internal mail is never signed. */
export function deliverAldermoorLocal(flight: InFlight, rcpt: string, rng: Random): { message: RawMessage; at: number } {
  return scanAndStore(flight.message, HOSTS.aldermoorMail, flight.mailFrom, rcpt, flight.at + net(rng, 300, 1500), [50, 400], rng);
}

/** Where the MX takes a flight in: its postfix hop. */
function arriveAtAldermoorMx(flight: InFlight, rcpt: string, at: number, rng: Random): RawMessage {
  return prependFields(
    flight.message,
    postfixReceived({ from: flight.relay, by: HOSTS.aldermoorMx.host, with: 'ESMTPS', id: postfixQueueId(at, rng), rcpt, at }),
  );
}

/**
 * The organisation's last steps to a mailbox, on `server` as of `at`: amavis scans (a localhost hop), then
 * Dovecot stores it over LMTP `net(rng, ...storeDelay)` ms later. Returns the message and when it was stored.
 */
function scanAndStore(
  message: RawMessage,
  server: Relay,
  mailFrom: string,
  rcpt: string,
  at: number,
  storeDelay: readonly [base: number, spread: number],
  rng: Random,
): { message: RawMessage; at: number } {
  const scanned = prependFields(
    message,
    'X-Virus-Scanned: Debian amavis at aldermoor.example',
    postfixReceived({ from: 'localhost (localhost [127.0.0.1])', by: server.host, with: 'ESMTP', id: postfixQueueId(at, rng), rcpt, at }),
  );
  const storedAt = at + net(rng, ...storeDelay);
  const stored = prependFields(
    scanned,
    `Return-Path: <${mailFrom}>`,
    `Delivered-To: ${rcpt}`,
    lmtpReceived(HOSTS.aldermoorMail.host, server, mailFrom, rcpt, storedAt, rng),
  );
  return { message: stored, at: storedAt };
}

/** The organisation's outbound relay: OpenDKIM signs here, then it leaves. */
export async function relayAldermoorOut(flight: InFlight, rng: Random, opts: { sign?: boolean } = {}): Promise<InFlight> {
  const at = flight.at + net(rng, 200, 900);
  let m = prependFields(
    flight.message,
    postfixReceived({ from: HOSTS.aldermoorMail, by: HOSTS.aldermoorOut.host, with: 'ESMTP', id: postfixQueueId(at, rng), at }),
  );
  if (opts.sign !== false) {
    m = await signMessage(
      m,
      {
        domain: 'aldermoor.example',
        selector: aldermoorSelector(at),
        canonicalization: 'relaxed/simple',
        headerList:
          'From:From:Reply-To:Subject:Date:To:Cc:In-Reply-To:References:Message-ID:MIME-Version:Content-Type:Content-Transfer-Encoding',
      },
      at,
    );
  }
  return { message: m, at, relay: HOSTS.aldermoorOut, mailFrom: flight.mailFrom };
}

/** A message as the receiving platform stored it, with the honest tags for what its servers changed in it. */
export interface Delivered {
  message: RawMessage;
  at: number;
  tags: string[];
}

/** Whether a flight comes from one of the organisation's own servers (not external mail for its gateway). */
function fromAldermoor(flight: InFlight): boolean {
  return flight.relay.host.endsWith('.aldermoor.example');
}

/**
 * The organisation's MX: milters verify and write their results, then (from GATEWAY_MARKING on) the
 * gateway marks external mail that is not a list's (gateway.ts), amavis scans, Dovecot delivers.
 */
export async function deliverAldermoorMx(flight: InFlight, rcpt: string, opts: DeliveryOptions): Promise<Delivered> {
  const { rng } = opts;
  const at = flight.at + net(rng, 500, 2500) + (opts.delayMs ?? 0);
  const arrived = arriveAtAldermoorMx(flight, rcpt, at, rng);
  const facts = await judgeArrival(flight, arrived, at);
  let m = prependFields(arrived, ...aldermoorAuthFields(facts, rcpt));
  let tags: string[] = [];
  if (!fromAldermoor(flight) && gatewayMarks(m, at)) ({ message: m, tags } = markExternal(m));
  const stored = scanAndStore(m, HOSTS.aldermoorMx, flight.mailFrom, rcpt, at + net(rng, 300, 1500), [100, 600], rng);
  return { ...stored, tags };
}

/** The organisation redirects a delivered message onwards (a Sieve redirect): SRS, an ARC set, its relay. */
export async function forwardAldermoor(flight: InFlight, rcptBefore: string, rng: Random): Promise<InFlight> {
  const at = flight.at + net(rng, 800, 3000);
  const arrived = arriveAtAldermoorMx(flight, rcptBefore, at, rng);
  const facts = await judgeArrival(flight, arrived, at);
  const rows = dkimRows(facts.verification)
    .map((r) => `dkim=${r.result} header.d=${r.d} header.s=${r.s} header.b=${r.b}`)
    .join(';\r\n\t');
  const dmarc = dmarcOutcome(facts);
  const aar = `mx.aldermoor.example;\r\n\t${rows || 'dkim=none'};\r\n\tspf=${facts.spf} smtp.mailfrom=${flight.mailFrom};\r\n\tdmarc=${dmarc.result} header.from=${facts.fromDomain};\r\n\tarc=${facts.verification.arc}`;
  let m = await sealArc(arrived, 'aldermoor.example', 'arc2023', aar, facts.verification.arc, at);
  const outAt = at + net(rng, 200, 800);
  m = prependFields(
    m,
    postfixReceived({ from: HOSTS.aldermoorMx, by: HOSTS.aldermoorOut.host, with: 'ESMTP', id: postfixQueueId(outAt, rng), at: outAt }),
  );
  const local = flight.mailFrom.replace('@', '=');
  return {
    message: m,
    at: outAt,
    relay: HOSTS.aldermoorOut,
    mailFrom: `SRS0=${rng.alnum(4)}=${rng.alnum(2).toUpperCase()}=${local.split('=')[1]}=${local.split('=')[0]}@aldermoor.example`,
  };
}

// ----- the hosted suite ------------------------------------------------------------------------

function cirrusMailboxServer(address: string): string {
  let h = 2166136261;
  for (const ch of address) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  const sites = ['DB9P192', 'AM6P191', 'PA4P190', 'GV1P189', 'LO2P265'];
  const site = sites[h % sites.length]!;
  return `${site}MB${1000 + (h % 9000)}.EURP${site.slice(-3)}.PROD.CIRRUSMAIL.EXAMPLE`;
}

function cirrusIpv6(rng: Random): string {
  return `2001:db8:${rng.hex(4)}:${rng.hex(3)}::${rng.hex(2)}`;
}

/** Submission inside the suite: a mapi hop on the user's mailbox server. */
export function submitCirrus(message: RawMessage, person: Person, at: number, rng: Random): InFlight {
  const server = cirrusMailboxServer(person.address);
  const link = `fe80::${rng.hex(4)}:${rng.hex(4)}:${rng.hex(4)}:${rng.hex(4)}`;
  const hop = cirrusReceived(`${server} ([${link}])`, `${server} ([${link}%5])`, `with mapi id ${EXCHANGE_BUILD(at)}`, at);
  return { message: prependFields(message, hop), at, relay: { host: server, ip: link }, mailFrom: person.address };
}

/** Inside one tenant: delivered with a note that nothing was signed. */
export function deliverCirrusInternal(flight: InFlight, rcpt: string, rng: Random): { message: RawMessage; at: number } {
  const at = flight.at + net(rng, 200, 1200);
  const to = cirrusMailboxServer(rcpt);
  const hop = cirrusReceived(
    `${flight.relay.host} (${cirrusIpv6(rng)})`,
    `${to} (${cirrusIpv6(rng)})`,
    `with Microsoft SMTP Server (version=TLS1_2,${CRLF} cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id ${EXCHANGE_BUILD(at)}`,
    at,
  );
  const domain = rcpt.split('@')[1]!;
  const m = prependFields(
    flight.message,
    hop,
    `Authentication-Results: dkim=none (message not signed)${CRLF} header.d=none;dmarc=none action=none header.from=${domain};`,
  );
  const tail = [
    `X-Cirrus-Exchange-Organization-AuthAs: Internal`,
    `X-Cirrus-Exchange-Organization-AuthSource: ${flight.relay.host}`,
    `X-Cirrus-Exchange-Organization-SCL: -1`,
  ];
  return { message: { fields: [...m.fields, ...tail], body: m.body }, at };
}

/** Out of the suite: ARC sealed and DKIM signed for the tenant's domain, then its outbound protection. */
export async function relayCirrusOut(flight: InFlight, person: Person, rng: Random): Promise<InFlight> {
  const at = flight.at + net(rng, 300, 1200);
  const edge = `AS8P192MB${rng.int(1000, 9999)}.EURP192.PROD.CIRRUSMAIL.EXAMPLE`;
  let m = prependFields(
    flight.message,
    cirrusReceived(
      `${flight.relay.host} (${cirrusIpv6(rng)})`,
      `${edge} (${cirrusIpv6(rng)})`,
      `with Microsoft SMTP Server (version=TLS1_2,${CRLF} cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id ${EXCHANGE_BUILD(at)}`,
      at,
    ),
  );
  m = {
    fields: [
      ...m.fields,
      'X-Cirrus-SenderADCheck: 1',
      `X-Cirrus-Exchange-CrossTenant-OriginalArrivalTime: ${crossTenantTime(flight.at)}`,
      'X-Cirrus-Exchange-CrossTenant-FromEntityHeader: Hosted',
    ],
    body: m.body,
  };
  m = await signMessage(
    m,
    {
      domain: person.domain,
      selector: 'selector1',
      canonicalization: 'relaxed/relaxed',
      headerList: 'From:Date:Subject:Message-ID:Content-Type:MIME-Version:X-Cirrus-SenderADCheck',
    },
    at,
  );
  const aar = `mx.cirrusmail.example 1; spf=pass${CRLF} smtp.mailfrom=${person.domain}; dmarc=pass action=none${CRLF} header.from=${person.domain}; dkim=pass header.d=${person.domain}; arc=none`;
  m = await sealArc(m, 'cirrusmail.example', 'arcsel01', aar, 'none', at);
  const n = rng.int(100, 199);
  return {
    message: m,
    at,
    relay: { host: `mail-db${rng.int(3, 9)}eur0${rng.int(1, 5)}on2${n}.outbound.protection.cirrusmail.example`, ip: `198.18.20.${n}` },
    mailFrom: person.address,
  };
}

function crossTenantTime(at: number): string {
  const d = new Date(at);
  return `${d.getUTCDate().toString().padStart(2, '0')} ${d.toUTCString().slice(8, 16)} ${d.toISOString().slice(11, 19)}.${String(d.getUTCMilliseconds()).padStart(3, '0')}${String(at % 10)} (UTC)`;
}

/** Into a tenant from outside: protection edge, results without authserv-id, mailbox server. */
export async function deliverCirrus(flight: InFlight, rcpt: string, opts: DeliveryOptions): Promise<{ message: RawMessage; at: number }> {
  const { rng } = opts;
  let at = flight.at + net(rng, 600, 2500) + (opts.delayMs ?? 0);
  const edge = `DB8EUR0${rng.int(1, 6)}FT0${rng.int(10, 99)}.eop-eur0${rng.int(1, 6)}.prod.protection.cirrusmail.example`;
  const arrived = prependFields(
    flight.message,
    cirrusReceived(
      `${flight.relay.host} (${flight.relay.ip})`,
      `${edge} (10.233.${rng.int(0, 255)}.${rng.int(1, 254)})`,
      `with Microsoft SMTP Server (version=TLS1_3,${CRLF} cipher=TLS_AES_256_GCM_SHA384) id ${EXCHANGE_BUILD(at)} via Frontend Transport`,
      at,
    ),
  );
  const facts = await judgeArrival(flight, arrived, at);
  const spfWord = { pass: 'Pass', softfail: 'SoftFail', fail: 'Fail', none: 'None' }[facts.spf];
  let m = prependFields(
    arrived,
    cirrusAuthField(facts),
    `Received-SPF: ${spfWord} (protection.cirrusmail.example: domain of${CRLF} ${flight.mailFrom.split('@')[1]} ${facts.spf === 'pass' ? 'designates' : 'does not designate'} ${flight.relay.ip} as permitted sender)${CRLF} receiver=protection.cirrusmail.example; client-ip=${flight.relay.ip};${CRLF} helo=${flight.relay.helo ?? flight.relay.host}; pr=C`,
  );
  at += net(rng, 300, 1500);
  const mid = `AM0PR0${rng.int(2, 9)}CA0${rng.int(100, 999)}.eurprd0${rng.int(2, 9)}.prod.cirrusmail.example`;
  m = prependFields(
    m,
    cirrusReceived(
      `${edge} (${cirrusIpv6(rng)})`,
      `${mid} (${cirrusIpv6(rng)})`,
      `with Microsoft SMTP Server (version=TLS1_3,${CRLF} cipher=TLS_AES_256_GCM_SHA384) id ${EXCHANGE_BUILD(at)} via Frontend Transport`,
      at,
    ),
  );
  at += net(rng, 100, 900);
  m = prependFields(
    m,
    cirrusReceived(
      `${mid} (${cirrusIpv6(rng)})`,
      `${cirrusMailboxServer(rcpt)} (${cirrusIpv6(rng)})`,
      `with Microsoft SMTP Server (version=TLS1_2,${CRLF} cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id ${EXCHANGE_BUILD(at)}`,
      at,
    ),
  );
  const tail = [
    `X-Cirrus-Exchange-Organization-AuthAs: Anonymous`,
    `X-Cirrus-Exchange-Organization-SCL: 1`,
    `X-Cirrus-Exchange-CrossTenant-OriginalArrivalTime: ${crossTenantTime(flight.at + 1000)}`,
  ];
  return { message: { fields: [...m.fields, ...tail], body: m.body }, at };
}

// ----- the webmail -----------------------------------------------------------------------------

/** Sent from the webmail: signed, with the relay's stamps; no Received (the next MX writes the first). */
export async function submitQuill(
  message: RawMessage,
  person: Person,
  at: number,
  rng: Random,
  client: ClientId = 'quill-web',
): Promise<InFlight> {
  const xAt = at + net(rng, 100, 900);
  const ms = String(xAt);
  // A desktop or phone client submits over SMTP: the webmail's submission server writes a hop.
  const submitted =
    client === 'quill-web'
      ? message
      : prependFields(
          message,
          `Received: from smtpclient.apple ([192.0.2.${rng.int(1, 250)}])${CRLF}        by smtp.quillmail.example with ESMTPSA id ${rng.alnum(5).toLowerCase()}${rng.int(1000000, 9999999)}-${rng.hex(12)}${CRLF}        for <${person.address}>${CRLF}        (version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128);${CRLF}        ${formatMailDate(at, 'America/Los_Angeles', { comment: true })}`,
        );
  let m = prependFields(
    submitted,
    `X-Quill-Smtp-Source: AGHT+I${rng.token(58, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')}`,
    `X-Received: by ${quill2002(rng)} with SMTP id${CRLF} ${rng.alnum(6).toLowerCase()}-${rng.hex(20)}mr${rng.int(1000000, 9999999)}${rng.alnum(3).toLowerCase()}.${rng.int(10, 99)}.${ms};${CRLF}        ${formatMailDate(xAt, 'America/Los_Angeles', { comment: true })}`,
  );
  const domain = person.domain;
  const selector = domain === 'quillmail.example' ? quillSelector(at) : 'quill';
  m = await signMessage(
    m,
    {
      domain,
      selector,
      canonicalization: 'relaxed/relaxed',
      headerList: 'to:subject:message-id:date:from:in-reply-to:references:mime-version:from:to:cc:subject:date:message-id:reply-to',
    },
    at,
  );
  const n = rng.int(20, 60);
  return {
    message: m,
    at: xAt,
    relay: { host: `mail-lf1-f${n}.quillmail.example`, ip: `198.18.167.${n}`, helo: `mail-lf1-f${n}.quillmail.example` },
    mailFrom: person.address,
  };
}

/** Into the webmail: its MX verifies, seals an ARC set, stamps Pacific times. */
export async function deliverQuill(flight: InFlight, rcpt: string, opts: DeliveryOptions): Promise<{ message: RawMessage; at: number }> {
  const { rng } = opts;
  let at = flight.at + net(rng, 400, 2000) + (opts.delayMs ?? 0);
  const zone: ZoneId = 'America/Los_Angeles';
  const arrived = prependFields(
    flight.message,
    `Received: from ${flight.relay.host} (${flight.relay.host}. [${flight.relay.ip}])${CRLF}        by mx.quillmail.example with ESMTPS id ${quillSmtpId(at, rng)}${CRLF}        for <${rcpt}>${CRLF}        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);${CRLF}        ${formatMailDate(at, zone, { comment: true })}`,
  );
  const facts = await judgeArrival(flight, arrived, at);
  const authValue = quillAuthValue(facts);
  const spf = facts.spf;
  let m = prependFields(
    arrived,
    `Received-SPF: ${spf} (quillmail.example: domain of ${flight.mailFrom} ${spf === 'pass' ? 'designates' : 'does not designate'} ${flight.relay.ip} as permitted sender) client-ip=${flight.relay.ip};`,
    `Authentication-Results: ${authValue}`,
  );
  m = prependFields(m, `Return-Path: <${flight.mailFrom}>`);
  m = await sealArc(m, 'quillmail.example', 'arc-20230601', authValue, facts.verification.arc, at);
  at += net(rng, 100, 700);
  m = prependFields(
    m,
    `X-Received: by ${quill2002(rng)} with SMTP id ${rng.alnum(6).toLowerCase()}-${rng.hex(12)}mr${rng.int(1000000, 9999999)}.${rng.int(10, 99)}.${at};${CRLF}        ${formatMailDate(at, zone, { comment: true })}`,
  );
  m = prependFields(
    m,
    `Delivered-To: ${rcpt}`,
    `Received: by ${quill2002(rng)} with SMTP id ${rng.alnum(3).toLowerCase()}${rng.int(100, 999)}csp${rng.int(1000000, 9999999)};${CRLF}        ${formatMailDate(at, zone, { comment: true })}`,
  );
  return { message: m, at };
}

/** A small provider's submission: its Received hop, its DKIM signature, then out through its one relay. */
async function submitSigned(
  message: RawMessage,
  person: Person,
  at: number,
  received: string,
  relay: Relay,
  sign: SignSpec,
): Promise<InFlight> {
  return { message: await signMessage(prependFields(message, received), sign, at), at, relay, mailFrom: person.address };
}

// ----- the coalition's Exim ---------------------------------------------------------------------

export async function submitCivic(message: RawMessage, person: Person, origin: Origin, at: number, rng: Random): Promise<InFlight> {
  const received = `Received: from ${origin.helo} (helo=${origin.helo})${CRLF}\tby ${HOSTS.civicMail.host} with esmtpsa  (TLS1.3) tls TLS_AES_256_GCM_SHA384${CRLF}\t(Exim 4.96)${CRLF}\t(envelope-from <${person.address}>)${CRLF}\tid ${eximId(at, rng)};${CRLF}\t${formatMailDate(at, 'Europe/Brussels', { day: 'zero' })}`;
  return submitSigned(message, person, at, received, HOSTS.civicMail, {
    domain: 'civic-network.example',
    selector: 'mail',
    canonicalization: 'relaxed/relaxed',
    bodyLength: true,
    headerList: 'Content-Transfer-Encoding:Content-Type:MIME-Version:Message-ID:References:In-Reply-To:Subject:Cc:To:From:Date',
  });
}

// ----- the ISP and the small domain ------------------------------------------------------------

export async function submitNetpost(message: RawMessage, person: Person, at: number, rng: Random): Promise<InFlight> {
  const received = postfixReceived({
    from: 'webmail.netpost.example (webmail.netpost.example [198.18.60.7])',
    by: HOSTS.netpost.host,
    with: 'ESMTPA',
    id: postfixQueueId(at, rng),
    at,
    zone: 'Europe/Stockholm',
  });
  return submitSigned(message, person, at, received, HOSTS.netpost, {
    domain: 'netpost.example',
    selector: 'dkim1',
    canonicalization: 'relaxed/simple',
    headerList: 'From:To:Cc:Subject:Date:Message-ID:In-Reply-To:References',
  });
}

export async function submitOldmail(message: RawMessage, person: Person, at: number, rng: Random): Promise<InFlight> {
  const received = postfixReceived({
    from: 'localhost (localhost [127.0.0.1])',
    by: HOSTS.oldmail.host,
    with: 'ESMTP',
    id: postfixQueueId(at, rng),
    at,
    zone: 'Europe/Berlin',
  });
  return submitSigned(message, person, at, received, HOSTS.oldmail, {
    domain: 'oldmail.test',
    selector: 'default',
    canonicalization: 'simple/simple',
    headerList: 'From:To:Subject:Date:Message-ID',
  });
}

// ---------------------------------------------------------------------------------------------
// Routing

export function receiverOf(address: string): PlatformId | 'aldermoor-local' {
  const domain = address.split('@')[1]?.toLowerCase() ?? '';
  if (domain === 'aldermoor.example') return 'aldermoor';
  if (domain === 'kestrel-partners.example' || domain === 'tilia-trust.example') return 'cirrus';
  if (domain === 'quillmail.example' || domain === 'brightwater-ngo.example') return 'quill';
  if (domain.endsWith('civic-network.example')) return 'civic';
  if (domain === 'netpost.example') return 'netpost';
  return 'oldmail';
}

/** Delivers an in-flight message from outside to a mailbox on the given receiving platform. */
export async function deliverFromOutside(flight: InFlight, rcpt: string, opts: DeliveryOptions): Promise<Delivered> {
  switch (receiverOf(rcpt)) {
    case 'aldermoor':
      return deliverAldermoorMx(flight, rcpt, opts);
    case 'cirrus':
      return { ...(await deliverCirrus(flight, rcpt, opts)), tags: [] };
    case 'quill':
      return { ...(await deliverQuill(flight, rcpt, opts)), tags: [] };
    default:
      throw new Error(`no mailbox is kept for ${rcpt}`);
  }
}

export function messageDate(message: RawMessage): number {
  return Date.parse(getValue(message, 'date') ?? '');
}

/** The b= prefix of the first DKIM-Signature (receivers quote 8 characters of it). */
export function signaturePrefix(message: RawMessage): string {
  const field = findField(message, 'dkim-signature');
  return field ? (/\bb=([^;]+)/.exec(fieldValue(field).replace(/\s+/g, ''))?.[1] ?? '').slice(0, 8) : '';
}

export { serialize, HOUR, MINUTE };
