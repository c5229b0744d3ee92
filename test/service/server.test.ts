// The service over real HTTP: the server listens on a random loopback port and a real client
// (fetch) talks to it. Every route, auth on and off, bad requests of every kind and a fuzz loop,
// the rate limit, and `xmargin serve` as a process: it refuses a public host without a token,
// serves, and drains and exits 0 on SIGTERM.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledExample } from '../../src/index.js';
import { startService, type Service } from '../../src/service/serve.js';
import { eventsBetween, type ServiceEvent } from '../../src/service/events.js';
import type { Report } from '../../src/report/report.js';
import { cliPath, xmarginInProcess } from '../helpers/cli.js';
import { rng } from '../kernels/helpers.js';

function smallSuite() {
  const suite = parseYaml(readFileSync(bundledExample.suite, 'utf8')) as { scenarioSets: { type: string; count?: number }[] };
  for (const s of suite.scenarioSets) if (s.type === 'montecarlo') s.count = 2000;
  return suite;
}

const TOKEN = 'a-test-token-of-enough-length';

describe('xmargin serve over HTTP', () => {
  let open: Service;
  let locked: Service;
  let url: string;
  let lockedUrl: string;

  beforeAll(async () => {
    const input = { market: bundledExample.market, book: bundledExample.book, suite: smallSuite(), workers: 2 };
    open = await startService({ ...input, rateLimit: 10_000 });
    url = await open.app.listen({ host: '127.0.0.1', port: 0 });
    locked = await startService({ ...input, token: TOKEN, rateLimit: 30, bodyLimit: 4096 });
    lockedUrl = await locked.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await open?.close();
    await locked?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}, base = url) => fetch(base + path, { headers });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}, base = url) =>
    fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('GET /health, /version, /report, /portfolios/{id}, /accounts/{id}', async () => {
    expect(await (await get('/health')).json()).toEqual({ status: 'ok' });
    const version = await (await get('/version')).json();
    expect(version).toMatchObject({ version: 1, engine: expect.any(String), computedAt: expect.any(String), rows: 'all' });
    expect(version.inputs.map((i: { role: string }) => i.role)).toEqual(['market', 'book', 'suite']);
    const { report } = await (await get('/report')).json();
    expect(report).toEqual(JSON.parse(JSON.stringify(open.current().report)));
    const p = report.portfolios[0];
    expect(await (await get(`/portfolios/${encodeURIComponent(p.id)}`)).json()).toEqual({ version: 1, portfolio: p });
    const a = p.segregated.accounts[0];
    expect(await (await get(`/accounts/${encodeURIComponent(a.id)}`)).json()).toEqual({
      version: 1,
      portfolio: p.id,
      account: a,
    });
    expect((await get('/portfolios/nobody')).status).toBe(404);
    expect((await get('/accounts/nobody')).status).toBe(404);
    expect((await get('/nothing-here')).status).toBe(404);
  });

  it('POST /what-if answers from the served version, as the model does', async () => {
    const trades = [{ account: 'alpha-spot', instrument: 'BTC-PERP', quantity: -5 }];
    const r = await post('/what-if', { trades });
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(body).toEqual(JSON.parse(JSON.stringify({ version: 1, ...open.current().model.whatIf(trades) })));
    expect(body.portfolios[0].id).toBe('alpha-fund');
    expect(body.portfolios[0].incrementalIM).toBeLessThan(0);
  });

  it('POST /what-if with collateral alone: a deposit that covers a call clears it', async () => {
    const r = await post('/what-if', { collateral: [{ account: 'retail-sol', asset: 'USD', amount: 70_000 }] });
    expect(r.status).toBe(200);
    const body = await r.json();
    const [p] = body.portfolios;
    expect(p.id).toBe('retail-sol');
    expect(p.before.marginCall).toBeGreaterThan(0);
    expect(p.after.marginCall).toBe(0);
    expect(p.after.collateral).toBe(p.before.collateral + 70_000);
    // Cash moves with no scenario: the margin itself is the same.
    expect(p.incrementalIM).toBe(0);
    expect((await post('/what-if', { collateral: [] })).status).toBe(400);
    expect((await post('/what-if', {})).status).toBe(400);
  });

  it('POST /what-if with an instrument defined in the request', async () => {
    const option = {
      id: 'ETH-27JUN27-2500-P',
      type: 'option',
      underlying: 'ETH',
      right: 'put',
      strike: 2500,
      expiry: '2027-06-27',
      iv: 0.75,
    };
    const trades = [{ account: 'alpha-spot', instrument: option, quantity: 50 }];
    const r = await post('/what-if', { trades });
    expect(r.status).toBe(200);
    const body = await r.json();
    await open.current().model.loadInline(trades);
    expect(body).toEqual(JSON.parse(JSON.stringify({ version: 1, ...open.current().model.whatIf(trades) })));
    const bad = await post('/what-if', {
      trades: [{ account: 'alpha-spot', instrument: { ...option, strike: -1 }, quantity: 1 }],
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).path).toEqual(['trades', 0, 'instrument']);
  });

  it('refuses bad requests with 400 and the path of the bad field, unknown ids with 404', async () => {
    const bad = async (body: unknown) => {
      const r = await post('/what-if', body);
      return { status: r.status, body: await r.json() };
    };
    expect(await bad('{not json')).toMatchObject({ status: 400 });
    expect(await bad({})).toMatchObject({ status: 400, body: { path: [] } });
    expect(await bad({ trades: [] })).toMatchObject({ status: 400, body: { path: ['trades'] } });
    expect(await bad({ trades: [{ account: 'alpha-spot', instrument: 'BTC-PERP', quantity: '5' }] })).toMatchObject({
      status: 400,
      body: { path: ['trades', 0, 'quantity'] },
    });
    expect(await bad({ trades: [{ account: 'alpha-spot', instrument: 'BTC-PERP', quantity: 5, price: 1 }] })).toMatchObject({
      status: 400,
      body: { path: ['trades', 0, 'price'] },
    });
    expect(await bad({ trades: [{ account: 'alpha-spot', instrument: 'BTC-PERP', quantity: 5 }], extra: true })).toMatchObject({
      status: 400,
      body: { path: ['extra'] },
    });
    expect(await bad({ trades: [{ account: 'nobody', instrument: 'BTC-PERP', quantity: 5 }] })).toMatchObject({
      status: 404,
      body: { path: ['trades', 0, 'account'] },
    });
    expect(await bad({ trades: [{ account: 'alpha-spot', instrument: 'NOPE', quantity: 5 }] })).toMatchObject({
      status: 404,
      body: { path: ['trades', 0, 'instrument'] },
    });
  });

  it('survives a fuzz loop of random bodies: every answer a 2xx or 4xx, the state unchanged', async () => {
    const next = rng(7);
    const before = JSON.stringify(open.current().report);
    const atoms = [null, true, 0, -1, 1e308, 'x', '', [], {}, 'alpha-spot', 'BTC-PERP', NaN];
    const pick = () => atoms[Math.floor(next() * atoms.length)];
    const value = (depth: number): unknown => {
      const r = next();
      if (depth > 2 || r < 0.4) return pick();
      if (r < 0.6) return Array.from({ length: Math.floor(next() * 3) }, () => value(depth + 1));
      const keys = ['trades', 'account', 'instrument', 'quantity', 'x'];
      return Object.fromEntries(
        Array.from({ length: Math.floor(next() * 4) }, () => [keys[Math.floor(next() * keys.length)], value(depth + 1)]),
      );
    };
    for (let i = 0; i < 200; i++) {
      const body = next() < 0.1 ? JSON.stringify(value(0)).slice(0, Math.floor(next() * 20)) : { trades: value(1) };
      const r = await post('/what-if', body);
      expect(r.status, JSON.stringify(body)).toBeLessThan(500);
      await r.arrayBuffer();
    }
    expect(JSON.stringify(open.current().report)).toBe(before);
    expect((await get('/health')).status).toBe(200);
  });

  it('with a token: 401 without it or with a wrong one, 200 with it; /health needs none', async () => {
    expect((await get('/health', {}, lockedUrl)).status).toBe(200);
    expect((await get('/version', {}, lockedUrl)).status).toBe(401);
    expect((await get('/version', { authorization: 'Bearer wrong-token-of-some-length' }, lockedUrl)).status).toBe(401);
    expect((await get('/version', { authorization: `Bearer ${TOKEN}` }, lockedUrl)).status).toBe(200);
    const trades = [{ account: 'alpha-spot', instrument: 'BTC-PERP', quantity: 1 }];
    expect((await post('/what-if', { trades }, {}, lockedUrl)).status).toBe(401);
    expect((await post('/what-if', { trades }, { authorization: `Bearer ${TOKEN}` }, lockedUrl)).status).toBe(200);
  });

  it('refuses a body over the limit (413) and a client over the rate limit (429)', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const big = { trades: Array.from({ length: 200 }, () => ({ account: 'alpha-spot', instrument: 'BTC-PERP', quantity: 1 })) };
    expect((await post('/what-if', big, auth, lockedUrl)).status).toBe(413);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await get('/version', auth, lockedUrl)).status);
    expect(statuses).toContain(429);
  });
});

describe('xmargin serve, the command', () => {
  it('refuses a public host without a token, before running anything (exit 2)', async () => {
    const r = await xmarginInProcess(['serve', '--host', '0.0.0.0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--host 0.0.0.0 is reachable from other machines');
  });

  it('refuses bad inputs with exit 2 before listening', async () => {
    const r = await xmarginInProcess(['serve', '--market', 'nope.json', '--book', 'nope.json', '--suite', 'nope.yaml']);
    expect(r.code).toBe(2);
  });

  it('serves (a book above --max-rows-mb with its rows cached), then drains and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--no-log', '--workers', '1', '--max-rows-mb', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const listeningUrl = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        const m = /listening on (http:\/\/[^ ]+)/.exec(stderr);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    expect((await fetch(`${listeningUrl}/health`)).status).toBe(200);
    expect(stderr).toMatch(
      /the book's rows take \d+ MiB, above --max-rows-mb 1: what-ifs recompute the rows they need beyond it/,
    );
    expect(await (await fetch(`${listeningUrl}/version`)).json()).toMatchObject({ rows: 'cached' });
    const whatIf = await fetch(`${listeningUrl}/what-if`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ trades: [{ account: 'alpha-spot', instrument: 'BTC-PERP', quantity: -5 }] }),
    });
    expect(whatIf.status).toBe(200);
    expect((await whatIf.json()).portfolios[0].incrementalIM).toBeLessThan(0);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('stopping');
  }, 60_000);
});

describe('xmargin serve: market updates and events', () => {
  let live: Service;
  let url: string;

  beforeAll(async () => {
    live = await startService({ market: bundledExample.market, book: bundledExample.book, suite: smallSuite(), workers: 2 });
    url = await live.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => live?.close());

  const post = (path: string, body: unknown) =>
    fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  /** Reads an event stream until `until` says stop; the events as { event, data }. */
  async function readEvents(res: Response, until: (events: { event: string; data: any }[]) => boolean) {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const events: { event: string; data: any }[] = [];
    let buffer = '';
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let at: number;
      while ((at = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null');
        events.push({ event, data });
      }
    }
    await reader.cancel();
    return events;
  }

  it('refuses unknown underlyings (404) and impossible spots and vols (400), naming the field', async () => {
    const status = async (body: unknown) => {
      const r = await post('/market', body);
      return { status: r.status, path: (await r.json()).path };
    };
    expect(await status({ underlyings: [{ id: 'DOGE', spot: 1 }] })).toEqual({ status: 404, path: ['underlyings', 0, 'id'] });
    expect(await status({ underlyings: [{ id: 'BTC', spot: -1 }] })).toEqual({ status: 400, path: ['underlyings', 0, 'spot'] });
    expect(await status({ underlyings: [{ id: 'BTC', vol: -0.1 }] })).toEqual({ status: 400, path: ['underlyings', 0, 'vol'] });
    expect((await status({ underlyings: [{ id: 'BTC' }] })).status).toBe(400);
    expect((await status({ underlyings: [{ id: 'BTC', spot: 1, price: 2 }] })).path).toEqual(['underlyings', 0, 'price']);
    expect(live.current().version).toBe(1);
  });

  it('computes the next version in the background; a burst of what-ifs never sees a mixed one', async () => {
    const trades = [{ account: 'alpha-spot', instrument: 'BTC-PERP', quantity: 3 }];
    const v1 = live.current();
    const want = new Map([[1, JSON.parse(JSON.stringify(v1.model.whatIf(trades)))]]);
    const accepted = await post('/market', {
      underlyings: [
        { id: 'BTC', spot: 80_000 },
        { id: 'ETH', spot: 2_900 },
      ],
    });
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toEqual({ accepted: true, version: 2, serving: 1 });
    const answers: { version: number }[] = [];
    while (live.current().version === 1) {
      const burst = await Promise.all(Array.from({ length: 8 }, () => post('/what-if', { trades }).then((r) => r.json())));
      answers.push(...burst);
    }
    await live.idle();
    answers.push(...(await Promise.all(Array.from({ length: 4 }, () => post('/what-if', { trades }).then((r) => r.json())))));
    want.set(2, JSON.parse(JSON.stringify(live.current().model.whatIf(trades))));
    expect(want.get(2)).not.toEqual(want.get(1));
    for (const a of answers) {
      const { version, ...rest } = a;
      expect(rest, `an answer of version ${version}`).toEqual(want.get(version));
    }
    expect(answers.some((a) => a.version === 2)).toBe(true);
    const version = await (await fetch(`${url}/version`)).json();
    expect(version.version).toBe(2);
    expect(version.inputs[0]).toMatchObject({ role: 'market', hashOf: 'canonical-json' });
  });

  it('streams each new version and the margin calls that appear, then clear, as updates change them', async () => {
    const stream = await fetch(`${url}/events`);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    // Nothing is read until the expected events are known: the stream buffers what the server writes.
    const calls = (r: Report) => r.portfolios.filter((p) => p.marginCall > 0).map((p) => p.id);
    // Every vol tripled: expected shortfalls grow, and calls appear.
    const v2 = live.current().report;
    await post('/market', {
      underlyings: [
        { id: 'BTC', vol: 1.65 },
        { id: 'ETH', vol: 2.1 },
        { id: 'SOL', vol: 2.7 },
      ],
    });
    await live.idle();
    const v3 = live.current().report;
    const appeared = calls(v3).filter((id) => !calls(v2).includes(id));
    expect(appeared.length).toBeGreaterThan(0);
    // Back to the bundled vols: the calls clear.
    await post('/market', {
      underlyings: [
        { id: 'BTC', vol: 0.55 },
        { id: 'ETH', vol: 0.7 },
        { id: 'SOL', vol: 0.9 },
      ],
    });
    await live.idle();
    const v4 = live.current().report;
    const first = eventsBetween(v2, v3, 3);
    const second = eventsBetween(v3, v4, 4);
    const expected: ServiceEvent[] = [...first, ...second];
    expect(first.filter((e) => e.type === 'margin-call' && e.level === 'portfolio').map((e) => (e as { id: string }).id)).toEqual(
      expect.arrayContaining(appeared),
    );
    expect(second.some((e) => e.type === 'margin-call-cleared')).toBe(true);
    // The hello, two version events and every change.
    const events = await readEvents(stream, (es) => es.length >= 3 + expected.length);
    expect(events.map((e) => e.data)).toEqual([
      { version: 2 },
      { type: 'version', version: 3 },
      ...JSON.parse(JSON.stringify(first)),
      { type: 'version', version: 4 },
      ...JSON.parse(JSON.stringify(second)),
    ]);
  });
});
