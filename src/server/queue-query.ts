// The queue's query string: its schema, its translation into a store filter, and back into URLs.
// Filters are plain names, options start with `_` (Datasette's convention).
import { VERDICTS } from '../model.ts';
import { parseTimeBound } from '../common/time.ts';
import { DEFAULT_QUEUE_SORT, QUEUE_SORTS, toFtsQuery, type QueueFilter, type QueuePosition, type QueueSort } from '../store/queue-repo.ts';
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
  _next: { type: 'string', pattern: '^([0-9a-f]{64})?$' },
  _prev: { type: 'string', pattern: '^([0-9a-f]{64})?$' },
  _pos: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
  _size: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE },
} as const;

export const QUEUE_QUERY_SCHEMA = {
  type: 'object',
  properties: { ...QUEUE_PARAMS, token: { type: 'string' } },
  additionalProperties: false,
} as const;

/** A queue view's query string: its filters (the store's QueueFilter, same names) and its options. */
export interface QueueQuery extends QueueFilter {
  _sort?: string;
  /** The page starts after this message (a next-page link). */
  _next?: string;
  /** The page ends before this message (a previous-page link). */
  _prev?: string;
  /** The page's first row is the queue's row number `_pos` (counted by the links that lead here). */
  _pos?: number;
  _size?: number;
}

export interface QueueRequest {
  filter: QueueFilter;
  sort: QueueSort;
  position: QueuePosition;
  /** Row number of the page's first row when known (the links count it), else null. */
  pos: number | null;
  size: number;
  /** The filters and sort as given (no position, no size): for links that keep the queue's context. */
  params: QueueQuery;
}

function present(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/** A date bound as given, refused when it is no time (a typo must not widen the filter). */
function timeBound(v: string | undefined, endOfDay: boolean): string | undefined {
  const t = present(v);
  if (t !== undefined && parseTimeBound(t, endOfDay) === null) throw badRequest(`not a date: ${t}`);
  return t;
}

export function parseQueueQuery(q: QueueQuery): QueueRequest {
  const verdicts = (q.verdict ?? []).filter((v) => v !== '');
  const finals = (q.final ?? []).filter((v) => v !== '');
  const search = present(q.q);
  if (search !== undefined && toFtsQuery(search) === null) throw badRequest('the search has no word to look for');
  const yesNo = (v: QueueFilter['signed']) => (v === 'yes' || v === 'no' ? v : undefined);
  const filter: QueueFilter = {
    ...(verdicts.length ? { verdict: [...new Set(verdicts)] } : {}),
    ...(finals.length ? { final: [...new Set(finals)] } : {}),
    code: present(q.code),
    domain: present(q.domain)?.toLowerCase(),
    mailbox: present(q.mailbox),
    key: present(q.key)?.toLowerCase(),
    from: timeBound(q.from, false),
    to: timeBound(q.to, true),
    signed: yesNo(q.signed),
    reviewed: yesNo(q.reviewed),
    q: search,
    role: present(q.role)?.toLowerCase(),
  };
  for (const k of Object.keys(filter) as (keyof QueueFilter)[]) if (filter[k] === undefined) delete filter[k];
  const sort = (present(q._sort) ?? DEFAULT_QUEUE_SORT) as QueueSort;
  const params: QueueQuery = { ...q };
  delete params._next;
  delete params._prev;
  delete params._pos;
  delete params._size;
  if (params._sort === DEFAULT_QUEUE_SORT || params._sort === '') delete params._sort;
  const next = present(q._next);
  const prev = present(q._prev);
  if (next !== undefined && prev !== undefined) throw badRequest('_next and _prev name opposite directions: give one');
  const position: QueuePosition = next !== undefined ? { after: next } : prev !== undefined ? { before: prev } : null;
  const pos = position === null ? 1 : (q._pos ?? null);
  return { filter, sort, position, pos, size: q._size ?? DEFAULT_PAGE_SIZE, params };
}

/** The query string of a queue view (leading `?`, or '' when empty); `extra` adds or replaces. */
export function queueQueryString(
  params: QueueQuery,
  extra: Partial<Record<'_next' | '_prev' | '_pos' | '_size', string | number | undefined>> = {},
): string {
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
