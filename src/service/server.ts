// `xmargin serve`: the what-if service over HTTP (Fastify, its logger and its JSON-schema
// validation). One served version at a time: its report and its warm what-if model; a request
// takes the version current when it starts and answers from it alone, and says which.
//
// Security, by default: loopback only; a token is required on any other host and checked on
// every route but /health, compared in constant time; a body size limit and a per-client rate
// limit; nothing a request sends can change what is served.
import { timingSafeEqual, createHash } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { Report } from '../report/report.js';
import { VERSION } from '../version.js';
import type { ServiceEvent } from './events.js';
import { WhatIfError, type CollateralChange, type WhatIfModel, type Trade } from './what-if.js';

/** One computed state of the book: what every answer comes from. */
export interface ServedVersion {
  /** 1 for the run at start-up; each market update makes the next. */
  version: number;
  computedAt: string;
  report: Report;
  model: WhatIfModel;
}

/** New spots and vols for some underlyings (POST /market). */
export interface MarketUpdate {
  underlyings: { id: string; spot?: number; vol?: number }[];
}

/** What the event stream sends: each new version, what changed with it, or a version that failed. */
export type StreamEvent =
  ServiceEvent | { type: 'version'; version: number } | { type: 'version-failed'; version: number; error: string };

/** What the routes answer from, and the one thing a request may change: the market. */
export interface ServiceState {
  /** The version answers come from now. */
  current(): ServedVersion;
  /** Queues a market update (checked first: WhatIfError); returns the version that will include it. */
  updateMarket(update: MarketUpdate): { version: number };
  /** Calls `listener` with every event from now on; returns the call that stops it. */
  subscribe(listener: (event: StreamEvent) => void): () => void;
}

export interface ServiceOptions {
  /** Bearer token every route but /health requires; required unless the host is loopback. */
  token?: string;
  /** Largest request body, bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Requests per client per minute (default 600). */
  rateLimit?: number;
  /** Fastify's logger: true (JSON lines on stdout), false, or a pino-style options object. */
  logger?: boolean | Record<string, unknown>;
}

export const serviceDefaults = { bodyLimit: 2 ** 20, rateLimit: 600 } as const;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Whether a host binds to this machine only: no token is needed there. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

/** Constant-time comparison of a presented token with the expected one (hashed first: equal lengths). */
function tokenMatches(presented: string, expected: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(presented), h(expected));
}

const tradeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['account', 'instrument', 'quantity'],
  properties: {
    account: { type: 'string', minLength: 1 },
    // An instrument's id, or a definition as the book file writes one (checked by the book's own rules).
    instrument: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'object' }] },
    quantity: { type: 'number' },
  },
} as const;

const collateralSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['account', 'asset', 'amount'],
  properties: {
    account: { type: 'string', minLength: 1 },
    asset: { type: 'string', minLength: 1 },
    amount: { type: 'number' },
  },
} as const;

const whatIfSchema = {
  body: {
    type: 'object',
    additionalProperties: false,
    // Trades, collateral changes, or both; at least one of either.
    anyOf: [{ required: ['trades'] }, { required: ['collateral'] }],
    properties: {
      trades: { type: 'array', minItems: 1, maxItems: 1000, items: tradeSchema },
      collateral: { type: 'array', minItems: 1, maxItems: 1000, items: collateralSchema },
    },
  },
} as const;

/** A 4xx answer: `error` says what, `path` where in the request (JSON pointer segments). */
interface Problem {
  error: string;
  path?: (string | number)[];
}

/**
 * The service's routes on a Fastify instance, answering from `current()`. Not listening yet:
 * the caller listens (serve) or injects requests.
 */
export async function buildService(state: ServiceState, options: ServiceOptions = {}): Promise<FastifyInstance> {
  const current = () => state.current();
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? serviceDefaults.bodyLimit,
    // Every schema error is reported, each with its path, not the first only; nothing is coerced
    // and no unknown field is dropped: a request either is what the schema says or is refused.
    ajv: { customOptions: { allErrors: true, coerceTypes: false, removeAdditional: false } },
  });
  await app.register(rateLimit, { max: options.rateLimit ?? serviceDefaults.rateLimit, timeWindow: '1 minute' });

  const token = options.token;
  if (token !== undefined) {
    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.routeOptions.url === '/health') return;
      const header = req.headers.authorization ?? '';
      const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
      if (!tokenMatches(presented, token)) {
        await reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send({ error: 'a bearer token is required' } satisfies Problem);
      }
    });
  }

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation) {
      const problems = err.validation.map((v) => {
        const path = v.instancePath
          .split('/')
          .slice(1)
          .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
        const extra = (v.params as { additionalProperty?: string }).additionalProperty;
        return { error: `${v.message ?? 'invalid'}${extra ? `: "${extra}"` : ''}`, path: extra ? [...path, extra] : path };
      });
      return reply.code(400).send({ error: `invalid request: ${problems[0].error}`, path: problems[0].path, problems });
    }
    if (err instanceof WhatIfError)
      return reply.code(err.kind === 'unknown' ? 404 : 400).send({ error: err.message, path: err.path });
    const status = err.statusCode ?? 500;
    if (status >= 500) req.log.error(err);
    return reply.code(status).send({ error: status >= 500 ? 'internal error' : err.message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url}` }));

  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/version', async () => {
    const v = current();
    return {
      version: v.version,
      computedAt: v.computedAt,
      engine: VERSION,
      inputs: v.report.run?.inputs ?? null,
      // Whether a what-if may wait for rows to be recomputed (a book above --max-rows-mb).
      rows: v.model.rowsComplete ? 'all' : 'cached',
    };
  });

  app.get('/report', async () => {
    const v = current();
    return { version: v.version, report: v.report };
  });

  app.get<{ Params: { id: string } }>('/portfolios/:id', async (req, reply) => {
    const v = current();
    const p = v.report.portfolios.find((q) => q.id === req.params.id);
    if (!p) return reply.code(404).send({ error: `no portfolio "${req.params.id}"` } satisfies Problem);
    return { version: v.version, portfolio: p };
  });

  app.get<{ Params: { id: string } }>('/accounts/:id', async (req, reply) => {
    const v = current();
    for (const p of v.report.portfolios) {
      const a = p.segregated.accounts.find((x) => x.id === req.params.id);
      if (a) return { version: v.version, portfolio: p.id, account: a };
    }
    return reply.code(404).send({ error: `no account "${req.params.id}"` } satisfies Problem);
  });

  app.post<{ Body: { trades?: Trade[]; collateral?: CollateralChange[] } }>('/what-if', { schema: whatIfSchema }, async (req) => {
    const v = current();
    const trades = req.body.trades ?? [];
    return { version: v.version, ...(await v.model.answer(trades, req.body.collateral ?? [])) };
  });

  app.post<{ Body: MarketUpdate }>('/market', { schema: marketSchema }, async (req, reply) => {
    const { version } = state.updateMarket(req.body);
    return reply.code(202).send({ accepted: true, version, serving: current().version });
  });

  // Server-Sent Events: the connection stays open and gets every event from now on. Fastify
  // hands the socket over (hijack); the auth hook above has run by then.
  const streams = new Set<import('node:http').ServerResponse>();
  // A stream never ends on its own: ended here, or closing the server would wait for it forever.
  app.addHook('preClose', async () => {
    for (const res of streams) res.end();
  });
  app.get('/events', (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    streams.add(res);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(`event: hello\ndata: ${JSON.stringify({ version: current().version })}\n\n`);
    const stop = state.subscribe((e) => res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`));
    req.raw.on('close', () => {
      stop();
      streams.delete(res);
    });
  });

  return app;
}

const marketSchema = {
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['underlyings'],
    properties: {
      underlyings: {
        type: 'array',
        minItems: 1,
        maxItems: 10_000,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['id'],
          minProperties: 2,
          properties: { id: { type: 'string', minLength: 1 }, spot: { type: 'number' }, vol: { type: 'number' } },
        },
      },
    },
  },
} as const;
