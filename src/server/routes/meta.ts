// Non-data pages under /-/: the key store, the import runs, the checks and their codes.
import type { FastifyInstance } from 'fastify';
import { iterateKeyRecords, listKeysPage } from '../../store/keys-page-repo.ts';
import { codeCounts, iterateFailures, listRunsWithFailures } from '../../store/overview-repo.ts';
import { checksPage, type ChecksData } from '../../../web/templates/checks.ts';
import { importsPage } from '../../../web/templates/imports.ts';
import { keysPage } from '../../../web/templates/keys.ts';
import type { AppContext } from '../app-context.ts';
import { csvOf } from '../export-stream.ts';
import { contentDisposition } from '../download-name.ts';
import { registerPage, twinUrl } from '../pages.ts';

const KEYS_PER_PAGE = 200;
const EXAMPLES_PER_KEY = 5;
/** Missing keys listed, the most used first; use a domain filter for the rest. */
const MISSING_SHOWN = 200;
/** Failures listed per run on the imports page; the CSV twin has them all. */
const FAILURES_PER_RUN = 1000;

const tokenOnly = { type: 'object', properties: { token: { type: 'string' } }, additionalProperties: false } as const;

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
  return { registry: ctx.checks !== null, checks, other_codes: other };
}

export function registerMetaRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerPage<{ domain?: string; _next?: number }, ReturnType<typeof listKeysPage> & { domain: string | null }>(app, ctx, '/-/keys', {
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
      return { ...page, domain };
    },
    render: (d, rc) =>
      keysPage(d, [
        { label: 'json', href: twinUrl(rc.url, '.json') },
        { label: 'csv', href: '/-/keys.csv' },
      ]),
  });
  app.get('/-/keys.csv', { schema: { querystring: tokenOnly } }, (_req, reply) =>
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', contentDisposition('leaktriage-keys.csv'))
      .send(
        csvOf(
          [
            'id',
            'name',
            'domain',
            'selector',
            'source_kind',
            'source',
            'first_seen',
            'last_seen',
            'fetched_at',
            'dns_error',
            'imported_at',
            'value',
          ],
          iterateKeyRecords(ctx.db),
        ),
      ),
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
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', contentDisposition('leaktriage-import-failures.csv'))
      .send(csvOf(['run_id', 'id', 'kind', 'path', 'offset', 'code', 'reason', 'sha256', 'created_at'], iterateFailures(ctx.db))),
  );

  registerPage(app, ctx, '/-/checks', {
    schema: { querystring: tokenOnly },
    load: () => loadChecks(ctx),
    render: (d, rc) => checksPage(d, [{ label: 'json', href: twinUrl(rc.url, '.json') }]),
  });
}
