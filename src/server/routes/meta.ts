// Non-data pages under /-/: the key store, the import runs, the checks and their codes.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { iterateKeyRecords, listKeysPage, type KeysPage } from '../../store/keys-page-repo.ts';
import type { StoredKey } from '../../store/keys-repo.ts';
import { codeCounts } from '../../store/overview-repo.ts';
import { iterateFailures, listRunsWithFailures, type StoredFailure } from '../../store/runs-repo.ts';
import { encodeRows, type Column } from '../../export/encode-rows.ts';
import { checksPage, type ChecksData } from '../../../web/templates/checks.ts';
import { importsPage } from '../../../web/templates/imports.ts';
import { keysPage, type KeysData } from '../../../web/templates/keys.ts';
import { describeKey } from '../../verify/key-index.ts';
import { MIN_RSA_BITS } from '../../checks/dkim.ts';
import type { AppContext } from '../app-context.ts';
import { contentDisposition } from '../download-name.ts';
import { registerPage, twinUrl } from '../pages.ts';

const KEYS_PER_PAGE = 200;
const EXAMPLES_PER_KEY = 5;
/** Missing keys listed, the most used first; use a domain filter for the rest. */
const MISSING_SHOWN = 200;
/** Failures listed per run on the imports page; the CSV twin has them all. */
const FAILURES_PER_RUN = 1000;

const tokenOnly = { type: 'object', properties: { token: { type: 'string' } }, additionalProperties: false } as const;

/** The keys page's CSV twin: every key record, in the columns of the `keys` table. */
const KEY_COLUMNS: Column<StoredKey>[] = [
  { name: 'id', cell: (k) => k.id },
  { name: 'name', cell: (k) => k.name },
  { name: 'domain', cell: (k) => k.domain },
  { name: 'selector', cell: (k) => k.selector },
  { name: 'source_kind', cell: (k) => k.sourceKind },
  { name: 'source', cell: (k) => k.source },
  { name: 'first_seen', cell: (k) => k.firstSeen },
  { name: 'last_seen', cell: (k) => k.lastSeen },
  { name: 'fetched_at', cell: (k) => k.fetchedAt },
  { name: 'dns_error', cell: (k) => k.dnsError },
  { name: 'imported_at', cell: (k) => k.importedAt },
  { name: 'value', cell: (k) => k.value },
];

/** The imports page's CSV twin: every failed or skipped input of every run. */
const FAILURE_COLUMNS: Column<StoredFailure>[] = [
  { name: 'run_id', cell: (f) => f.runId },
  { name: 'id', cell: (f) => f.id },
  { name: 'kind', cell: (f) => f.kind },
  { name: 'path', cell: (f) => f.path },
  { name: 'offset', cell: (f) => f.offset },
  { name: 'code', cell: (f) => f.code },
  { name: 'reason', cell: (f) => f.reason },
  { name: 'sha256', cell: (f) => f.sha256 },
  { name: 'created_at', cell: (f) => f.createdAt },
];

function sendCsv<T>(reply: FastifyReply, name: string, chunks: Iterable<T[]>, columns: Column<T>[]): FastifyReply {
  const rows = (function* () {
    for (const chunk of chunks) yield* chunk;
  })();
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', contentDisposition(name))
    .send(Readable.from(encodeRows(rows, columns, 'csv')));
}

/** RSA keys shorter than this are within reach of a well-funded attacker (NIST SP 800-57 retired 1024-bit RSA in 2013). */
const SHORT_RSA_BITS = 2048;

/** Each key record with its type and size read from p=, and how much to trust that size. */
function withKeyDetails(page: KeysPage): Omit<KeysData, 'domain'> {
  return {
    ...page,
    keys: page.keys.map((k) => {
      const d = k.dnsError ? { keyType: null, keyBits: null, revoked: false } : describeKey(k.value);
      const rsa = d.keyType === 'rsa' && d.keyBits !== null;
      const strength = d.revoked
        ? 'revoked'
        : rsa && (d.keyBits as number) < MIN_RSA_BITS
          ? 'weak'
          : rsa && (d.keyBits as number) < SHORT_RSA_BITS
            ? 'short'
            : d.keyBits === null
              ? 'unknown'
              : 'ok';
      return { ...k, keyType: d.keyType, keyBits: d.keyBits, strength };
    }),
  };
}

export function loadChecks(ctx: AppContext): ChecksData {
  const counts = new Map(codeCounts(ctx.db).map((c) => [c.code, c.n]));
  const declared = new Set<string>();
  const checks = (ctx.checks ?? []).map((c) => ({
    id: c.id,
    title: c.title,
    codes: Object.entries(c.codes).map(([code, doc]) => {
      declared.add(code);
      return { code, ...doc, findings: counts.get(code) ?? 0 };
    }),
  }));
  const other = [...counts].filter(([code]) => !declared.has(code)).map(([code, findings]) => ({ code, findings }));
  return { registry: ctx.checks !== null, checks, otherCodes: other };
}

export function registerMetaRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerPage<{ domain?: string; _next?: number }, KeysData>(app, ctx, '/-/keys', {
    schema: {
      querystring: {
        type: 'object',
        properties: { domain: { type: 'string', maxLength: 255 }, _next: { type: 'integer', minimum: 0 }, token: { type: 'string' } },
        additionalProperties: false,
      },
    },
    load: (req) => {
      const domain = req.query.domain?.trim().toLowerCase() || null;
      const page = listKeysPage(ctx.db, {
        domain: domain ?? undefined,
        after: req.query._next,
        size: KEYS_PER_PAGE,
        examples: EXAMPLES_PER_KEY,
        missing: MISSING_SHOWN,
      });
      return { ...withKeyDetails(page), domain };
    },
    render: (d, rc) =>
      keysPage(d, [
        { label: 'json', href: twinUrl(rc.url, '.json') },
        { label: 'csv', href: '/-/keys.csv' },
      ]),
  });
  app.get('/-/keys.csv', { schema: { querystring: tokenOnly } }, (_req, reply) =>
    sendCsv(reply, 'leaktriage-keys.csv', iterateKeyRecords(ctx.db), KEY_COLUMNS),
  );

  registerPage(app, ctx, '/-/imports', {
    schema: { querystring: tokenOnly },
    load: () => ({ runs: listRunsWithFailures(ctx.db, FAILURES_PER_RUN) }),
    render: (d, rc) =>
      importsPage(d.runs, [
        { label: 'json', href: twinUrl(rc.url, '.json') },
        { label: 'csv', href: '/-/imports.csv' },
      ]),
  });
  app.get('/-/imports.csv', { schema: { querystring: tokenOnly } }, (_req, reply) =>
    sendCsv(reply, 'leaktriage-import-failures.csv', iterateFailures(ctx.db), FAILURE_COLUMNS),
  );

  registerPage(app, ctx, '/-/checks', {
    schema: { querystring: tokenOnly },
    load: () => loadChecks(ctx),
    render: (d, rc) => checksPage(d, [{ label: 'json', href: twinUrl(rc.url, '.json') }]),
  });
}
