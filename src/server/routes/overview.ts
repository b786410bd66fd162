// `/` and `/.json`: the shape of the archive.
import type { FastifyInstance } from 'fastify';
import { findingWeeklyCounts, machineCounts, reviewedCounts, topCounts, weeklyCounts } from '../../store/overview-repo.ts';
import { queryQueue } from '../../store/queue-repo.ts';
import { listRunsWithFailures } from '../../store/runs-repo.ts';
import { withSnapshot } from '../../store/transaction.ts';
import type { OverviewData } from '../../../web/templates/overview.ts';
import { overviewPage } from '../../../web/templates/overview.ts';
import type { AppContext } from '../app-context.ts';
import { registerPage, twinUrl } from '../pages.ts';

/** Rows per table on the overview; the .json twin has the same, the queue has the rest. */
const TOP = 25;
const FAILURES_PER_RUN = 20;
/** Messages in the overview's "start here" list. */
const START_HERE = 8;

export function loadOverview(ctx: AppContext): OverviewData {
  const db = ctx.db;
  return withSnapshot(db, () => {
    const machine = machineCounts(db);
    const reviewed = reviewedCounts(db);
    const final = { ...machine.verdicts };
    for (const r of reviewed) {
      final[r.machineVerdict] = (final[r.machineVerdict] ?? 0) - r.n;
      final[r.finalVerdict] = (final[r.finalVerdict] ?? 0) + r.n;
    }
    const runs = listRunsWithFailures(db, FAILURES_PER_RUN);
    const start = queryQueue(db, { reviewed: 'no' }, 'triage', null, START_HERE, { withTotal: false });
    const reviewedTotal = reviewed.reduce((s, r) => s + r.n, 0);
    return {
      total: machine.total,
      machine: machine.verdicts,
      final,
      reviewed: {
        total: reviewedTotal,
        changed: reviewed.filter((r) => r.finalVerdict !== r.machineVerdict).reduce((s, r) => s + r.n, 0),
        counts: reviewed,
      },
      domains: topCounts(db, 'domain', TOP),
      mailboxes: topCounts(db, 'mailbox', TOP),
      codes: topCounts(db, 'code', TOP),
      weeks: weeklyCounts(db),
      findingWeeks: findingWeeklyCounts(db),
      startHere: start.rows,
      unreviewed: machine.total - reviewedTotal,
      runs,
      running: runs.some((r) => r.status === 'running'),
    };
  });
}

export function registerOverviewRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerPage(app, ctx, '/', {
    schema: { querystring: { type: 'object', properties: { token: { type: 'string' } }, additionalProperties: false } },
    load: () => loadOverview(ctx),
    render: (d, rc) => overviewPage(d, [{ label: 'json', href: twinUrl(rc.url, '.json') }]),
  });
}
