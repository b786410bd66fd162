// One error shape for every failure: { ok: false, error: { status, code, message } }. 5xx details are
// logged with the request, never sent (they may quote message content or paths).
import { DatabaseError, translateError } from '../store/database.ts';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface ErrorBody {
  ok: false;
  error: { status: number; code: string; message: string };
}

/** An error a route means to send: its message is written for the reviewer. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function notFound(what: string): HttpError {
  return new HttpError(404, 'not-found', `${what} not found`);
}

export function badRequest(message: string): HttpError {
  return new HttpError(400, 'bad-request', message);
}

const CODES: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  429: 'too-many-requests',
};

export function errorBody(status: number, code: string, message: string): ErrorBody {
  return { ok: false, error: { status, code, message } };
}

export function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .header('cache-control', 'no-store')
    .removeHeader('content-disposition')
    .send(errorBody(status, code, message));
}

/** One plain sentence from the schema validator's first complaint. */
function validationMessage(err: FastifyError): string {
  const where = err.validationContext === 'querystring' ? 'query parameter' : (err.validationContext ?? 'request');
  const v = err.validation?.[0];
  if (!v) return `invalid ${where}`;
  const extra = (v.params as { additionalProperty?: string }).additionalProperty;
  if (extra !== undefined) return `unknown ${where} "${extra}"`;
  const field = v.instancePath.replace(/^\//, '').replace(/\/\d+$/, '');
  const allowed = (v.params as { allowedValues?: unknown[] }).allowedValues;
  return `${where} ${field ? `"${field}" ` : ''}${v.message ?? 'is invalid'}${allowed ? `: ${allowed.filter((a) => a !== '').join(', ')}` : ''}`;
}

function handle(err: FastifyError | HttpError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof HttpError) {
    if (err.status >= 500) req.log.error({ err, url: req.url, method: req.method }, 'request failed');
    return sendError(reply, err.status, err.code, err.message);
  }
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (err.validation) return sendError(reply, 400, 'bad-request', validationMessage(err));
  if (status >= 400 && status < 500) return sendError(reply, status, CODES[status] ?? 'bad-request', err.message);
  // A review on write-protected media, a full disk, an import holding the lock too long: the user's words, not a 500.
  const db = translateError('the database', err);
  if (db instanceof DatabaseError && ['db/read-only', 'db/full', 'db/busy'].includes(db.code))
    return sendError(reply, 503, 'database-unavailable', `${db.message}; nothing was saved`);
  req.log.error({ err, url: req.url, method: req.method }, 'request failed');
  return sendError(reply, 500, 'internal', `internal error; the server log has the details (request ${req.id})`);
}

export function registerErrors(app: FastifyInstance): void {
  app.setErrorHandler(handle);
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, 'not-found', `no page at ${req.method} ${req.url.split('?')[0]}`));
}
