// The queue's query string: its schema, its translation into a store filter, and back into URLs.
// Filters are plain names, options start with `_` (Datasette's convention).
import { VERDICTS } from '../model.ts';
import { QUEUE_SORTS, toFtsQuery, type QueueCursor, type QueueFilter, type QueueSort } from '../store/queue-repo.ts';
import { badRequest } from './errors.ts';

export const DEFAULT_PAGE_SIZE = 50;
/** Big enough for a reviewer's long page, small enough that one request stays well under 100 ms. */
export const MAX_PAGE_SIZE = 1000;

const text = { type: 'string', maxLength: 500 } as const;
const verdictList = { type: 'array', items: { type: 'string', enum: [...VERDICTS, ''] }, maxItems: 8 } as const;
const yesNo = { type: 'string', enum: ['yes', 'no', ''] } as const;
const day = { type: 'string', pattern: '^(\\d{4}-\\d{2}-\\d{2}([T ][0-9:.]+Z?)?)?$' } as const;

/** Query parameters of every queue view (page, .json, .csv, message page context). */
export const QUEUE_PARAMS = {
  verdict: verdictList,
  final: verdictList,
  code: text,
  domain: text,
  mailbox: text,
  role: { type: 'string', enum: ['sent', 'inbox', 'other', ''] },
  key: text,
  from: day,
  to: day,
  signed: yesNo,
  reviewed: yesNo,
  q: text,
  _sort: { type: 'string', enum: [...QUEUE_SORTS, ''] },
  _next: { type: 'string', pattern: '^[A-Za-z0-9_-]{0,200}$' },
  _size: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE },
} as const;

export const QUEUE_QUERY_SCHEMA = {
  type: 'object',
  properties: { ...QUEUE_PARAMS, token: { type: 'string' } },
  additionalProperties: false,
} as const;

export interface QueueQuery {
  verdict?: string[];
  final?: string[];
  code?: string;
  domain?: string;
  mailbox?: string;
  role?: string;
  key?: string;
  from?: string;
  to?: string;
  signed?: string;
  reviewed?: string;
  q?: string;
  _sort?: string;
  _next?: string;
  _size?: number;
}

export interface QueueRequest {
  filter: QueueFilter;
  sort: QueueSort;
  cursor: QueueCursor | null;
  size: number;
  /** The filters and sort as given (no cursor, no size): for links that keep the queue's context. */
  params: QueueQuery;
}

function present(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

function toEpoch(v: string | undefined, endOfDay: boolean): number | undefined {
  const t = present(v);
  if (t === undefined) return undefined;
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T${endOfDay ? '23:59:59' : '00:00:00'}Z` : t.replace(' ', 'T');
  const ms = Date.parse(/Z$|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
  if (Number.isNaN(ms)) throw badRequest(`not a date: ${t}`);
  return Math.floor(ms / 1000);
}

export function encodeCursor(c: QueueCursor): string {
  return Buffer.from(JSON.stringify([c.key, c.sha256])).toString('base64url');
}

export function decodeCursor(s: string | undefined): QueueCursor | null {
  if (!s) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      (v[0] === null || Number.isSafeInteger(v[0])) &&
      typeof v[1] === 'string' &&
      /^[0-9a-f]{64}$/.test(v[1])
    ) {
      return { key: v[0] as number | null, sha256: v[1] };
    }
  } catch {
    // fall through: any malformed cursor is the same bad request
  }
  throw badRequest('_next is not a cursor this server made');
}

export function parseQueueQuery(q: QueueQuery): QueueRequest {
  const verdicts = (q.verdict ?? []).filter((v) => v !== '');
  const finals = (q.final ?? []).filter((v) => v !== '');
  const qText = present(q.q);
  const fts = qText === undefined ? undefined : toFtsQuery(qText);
  if (qText !== undefined && fts === null) throw badRequest('the search has no word to look for');
  const filter: QueueFilter = {
    ...(verdicts.length ? { verdicts: [...new Set(verdicts)] } : {}),
    ...(finals.length ? { finals: [...new Set(finals)] } : {}),
    code: present(q.code),
    domain: present(q.domain)?.toLowerCase(),
    mailbox: present(q.mailbox),
    role: present(q.role),
    key: present(q.key)?.toLowerCase(),
    fromEpoch: toEpoch(q.from, false),
    toEpoch: toEpoch(q.to, true),
    signed: q.signed ? q.signed === 'yes' : undefined,
    reviewed: q.reviewed ? q.reviewed === 'yes' : undefined,
    fts: fts ?? undefined,
  };
  for (const k of Object.keys(filter) as (keyof QueueFilter)[]) if (filter[k] === undefined) delete filter[k];
  const sort = (present(q._sort) ?? 'date') as QueueSort;
  const params: QueueQuery = { ...q };
  delete params._next;
  delete params._size;
  return { filter, sort, cursor: decodeCursor(q._next), size: q._size ?? DEFAULT_PAGE_SIZE, params };
}

/** The query string of a queue view (leading `?`, or '' when empty); `extra` adds or replaces. */
export function queueQueryString(params: QueueQuery, extra: Partial<Record<'_next' | '_size', string | number>> = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...params, ...extra })) {
    if (k === 'token' || v === undefined || v === null) continue;
    for (const one of Array.isArray(v) ? v : [v]) if (String(one) !== '') p.append(k, String(one));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * The queue context a review form sends back (`_queue`), reduced to known parameters with valid
 * values: it only ever becomes the query string of our own redirect, never a path.
 */
export function queueParamsFromString(s: string | undefined): QueueQuery {
  const given = new URLSearchParams(s ?? '');
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(QUEUE_PARAMS)) {
    const values = given.getAll(name).filter((v) => v.length <= 500);
    if (!values.length) continue;
    if (schema.type === 'array') {
      const ok = values.filter((v) => (schema.items.enum as readonly string[]).includes(v));
      if (ok.length) out[name] = ok;
    } else if (schema.type === 'integer') {
      const n = Number(values[0]);
      if (Number.isInteger(n) && n >= schema.minimum && n <= schema.maximum) out[name] = n;
    } else if ('enum' in schema) {
      if ((schema.enum as readonly string[]).includes(values[0] ?? '')) out[name] = values[0];
    } else if ('pattern' in schema) {
      if (new RegExp(schema.pattern).test(values[0] ?? '')) out[name] = values[0];
    } else {
      out[name] = values[0];
    }
  }
  return out as QueueQuery;
}
