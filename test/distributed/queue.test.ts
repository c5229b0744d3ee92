// Distributed runs against a real redis-server and real `xmargin worker` processes: reports
// identical to a local run's for 1, 2 and 3 workers (the contract example, the bundled example
// and M), a worker killed mid-run, Redis killed mid-run, a coordinator killed and resumed, a
// worker of another engine version, a task that fails for a real reason, and nothing left in
// Redis after a run.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledExample } from '../../src/index.js';
import { synthesize, writeSynthFiles } from '../../src/synth/index.js';
import { cliPath, fixture, root, xmarginInProcess } from '../helpers/cli.js';
import { startRedis, startWorker, type TestRedis, type WorkerProcess } from '../helpers/redis.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'xm-queue-'));

interface Inputs {
  market: string;
  book: string;
  suite: string;
}

const contract: Inputs = {
  market: fixture('contract-example', 'market.json'),
  book: fixture('contract-example', 'book.json'),
  suite: fixture('contract-example', 'suite.json'),
};

const args = (i: Inputs) => ['--market', i.market, '--book', i.book, '--suite', i.suite];

/** The report without its run record (ids and times differ between any two runs). */
function reportOf(dir: string): string {
  const r = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  delete r.run;
  return JSON.stringify(r);
}

async function localReport(i: Inputs): Promise<string> {
  const out = join(tmp(), 'local');
  const r = await xmarginInProcess(['run', ...args(i), '--out', out, '--workers', '2']);
  expect(r.code, r.stderr).toBe(0);
  return reportOf(out);
}

/** `xmargin run --redis` as its own process (so that a test can kill it). */
function coordinator(url: string, extra: string[]) {
  const proc = spawn(process.execPath, [cliPath, 'run', '--redis', url, ...extra], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, stderr: () => stderr, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Keys in Redis but the workers' presence (theirs, not a run's). */
async function leftKeys(client: ReturnType<TestRedis['client']>): Promise<string[]> {
  return (await client.keys('*')).filter((k) => !k.startsWith('xm:worker:'));
}

describe('distributed runs: the same report as a local run', () => {
  let redis: TestRedis;
  const workers: WorkerProcess[] = [];
  let m: Inputs;
  const local = new Map<Inputs, string>();

  beforeAll(async () => {
    redis = await startRedis();
    m = writeSynthFiles(join(tmp(), 'M'), synthesize('M', 1));
    for (const i of [contract, bundledExample, m]) local.set(i, await localReport(i));
  }, 120_000);
  afterAll(async () => {
    // SIGTERM: a worker finishes (or hands back) what it runs and exits 0.
    for (const w of workers) expect(await w.stop(), w.log()).toBe(0);
    await redis?.kill();
  });

  it('with 1, 2 and 3 worker processes, on the contract example, the bundled example and M; nothing left in Redis', async () => {
    const client = redis.client();
    for (let n = 1; n <= 3; n++) {
      workers.push(await startWorker(redis.url));
      for (const inputs of [contract, bundledExample, m]) {
        const out = join(tmp(), 'out');
        const r = await xmarginInProcess(['run', ...args(inputs), '--redis', redis.url, '--out', out]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toMatch(/tasks through the queue \(0 reused/);
        expect(reportOf(out), `${n} workers, ${inputs.book}`).toBe(local.get(inputs));
        // The run took its keys with it; the workers hold only their presence.
        expect(await leftKeys(client)).toEqual([]);
        expect(r.stderr).toContain(`tasks cut for ${n} slots`);
      }
      if (n > 1) {
        // Each worker did its share of M's tasks (its log says how many per run).
        await sleep(300);
        const lastRun = (w: WorkerProcess) => [...w.log().matchAll(/ended: (\d+) tasks done here/g)].at(-1)?.[1];
        for (const w of workers) expect(Number(lastRun(w)), w.log()).toBeGreaterThan(0);
      }
    }
  }, 300_000);

  it('a worker killed (SIGKILL) mid-run has its task taken by another, and the report is the same', async () => {
    // Three workers run (the test above left them); one dies while tasks are in flight.
    while (workers.length < 2) workers.push(await startWorker(redis.url));
    const victim = await startWorker(redis.url, { verbose: true });
    const out = join(tmp(), 'out');
    const c = coordinator(redis.url, [...args(m), '--out', out]);
    // Killed as it starts a task: the task's lock lapses, and another worker takes it.
    await victim.waitFor(/task \S+ started/);
    await victim.kill();
    expect(await c.exited, c.stderr()).toBe(0);
    expect(c.stderr()).toMatch(/[1-9]\d* handed to another worker/);
    expect(reportOf(out)).toBe(local.get(m));
  }, 120_000);

  it("a task that fails for a real reason (a non-finite P&L) fails the run with the worker's message, exit 1", async () => {
    const dir = tmp();
    const suite = join(dir, 'suite.yaml');
    writeFileSync(
      suite,
      'seed: 1\nscenarioSets:\n  - { name: blow-up, type: montecarlo, count: 2000, distribution: normal, volMultiplier: 100000 }\n',
    );
    const out = join(dir, 'out');
    const r = await xmarginInProcess([
      'run',
      ...args({ market: bundledExample.market, book: bundledExample.book, suite }),
      '--redis',
      redis.url,
      '--out',
      out,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('set "blow-up"');
    expect(r.stderr).toMatch(/not a finite number/);
    expect(existsSync(out)).toBe(false);
    expect(await leftKeys(redis.client())).toEqual([]);
  }, 60_000);

  it('a coordinator killed mid-run is resumed with --resume, reusing the finished tasks, to the same report', async () => {
    const c = coordinator(redis.url, [...args(m), '--out', join(tmp(), 'never')]);
    // Its run id, then some finished tasks (results stored), then SIGKILL: no clean-up runs.
    const client = redis.client();
    let id: string | undefined;
    for (let t = 0; t < 200 && !id; t++) {
      id = /run ([0-9a-f]{12}) on the job queue/.exec(c.stderr())?.[1];
      await sleep(50);
    }
    expect(id, c.stderr()).toBeDefined();
    for (let t = 0; t < 400; t++) {
      if ((await client.keys(`xm:${id}:res:*`)).length >= 3) break;
      await sleep(25);
    }
    c.proc.kill('SIGKILL');
    await c.exited;
    const out = join(tmp(), 'out');
    const r = await xmarginInProcess(['run', ...args(m), '--redis', redis.url, '--resume', id!, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`resuming ${id}`);
    const reused = Number(/\((\d+) reused/.exec(r.stderr)?.[1]);
    expect(reused).toBeGreaterThanOrEqual(3);
    expect(reportOf(out)).toBe(local.get(m));
    expect(await leftKeys(client)).toEqual([]);
    // A run that is not there (finished, expired) is refused, exit 2.
    const again = await xmarginInProcess(['run', ...args(m), '--redis', redis.url, '--resume', id!, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`--resume ${id}: no such run`);
  }, 180_000);

  it('--keep leaves the run in Redis, every key of its own expiring', async () => {
    const r = await xmarginInProcess(['run', ...args(contract), '--redis', redis.url, '--keep', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const id = /run ([0-9a-f]{12}) on/.exec(r.stderr)![1];
    const client = redis.client();
    const own = [...(await client.keys(`xm:${id}:*`)), `xm:run:${id}`];
    expect(own.length).toBeGreaterThan(2);
    for (const k of own) expect(await client.ttl(k), k).toBeGreaterThan(0);
    await client.flushall();
  });
});

describe('distributed runs: refusals and a lost Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.kill();
  });

  it('a worker of another engine version refuses the tasks; with no other worker the run fails saying so', async () => {
    const stranger = await startWorker(redis.url, { env: { XMARGIN_ENGINE_FINGERPRINT: '0.0.1+another-build' } });
    try {
      const out = join(tmp(), 'out');
      const r = await xmarginInProcess(['run', ...args(contract), '--redis', redis.url, '--out', out]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /worker 0\.0\.1\+another-build refuses a task of engine \S+: mixed engine versions would mix numbers/,
      );
      expect(existsSync(out)).toBe(false);
      expect(stranger.log()).toContain('refuses a task of engine');
    } finally {
      expect(await stranger.stop()).toBe(0);
    }
  }, 60_000);

  it('refuses the queue flags without --redis, a bad --queue-concurrency and a malformed run id (exit 2)', async () => {
    for (const [flags, message] of [
      [['--resume', 'abcdef012345'], '--resume needs --redis'],
      [['--queue-concurrency', '4'], '--queue-concurrency needs --redis'],
      [['--keep'], '--keep needs --redis'],
      [['--redis', redis.url, '--queue-concurrency', '0'], '--queue-concurrency must be a whole number >= 1, got 0'],
      [['--redis', redis.url, '--resume', 'not-a-run'], '--resume not-a-run: expected a run id of 12 hex digits'],
    ] as const) {
      const r = await xmarginInProcess(['run', ...args(contract), ...flags, '--json']);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe('');
    }
    expect(await leftKeys(redis.client())).toEqual([]);
  });

  it('Redis unreachable: exit 1 with a clear message, nothing written', async () => {
    const out = join(tmp(), 'out');
    const r = await xmarginInProcess(['run', ...args(contract), '--redis', 'redis://127.0.0.1:1', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^xmargin: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
    expect(existsSync(out)).toBe(false);
    // Input that would be refused is refused first, as input (exit 2), with no connection tried.
    const bad = join(tmp(), 'book.json');
    writeFileSync(bad, '{"accounts": 5}');
    const b = await xmarginInProcess([
      'run',
      ...args({ ...contract, book: bad }),
      '--redis',
      'redis://127.0.0.1:1',
      '--out',
      out,
    ]);
    expect(b.code, b.stderr).toBe(2);
    expect(b.stderr).toContain(`${bad}: accounts: expected a list of accounts`);
    expect(b.stderr).not.toContain('Redis');
    expect(existsSync(out)).toBe(false);
  });

  it('Redis gone mid-run: exit 1 with a clear message, no report; the worker exits 0 on SIGTERM', async () => {
    const m = writeSynthFiles(join(tmp(), 'M'), synthesize('M', 2));
    const worker = await startWorker(redis.url);
    const out = join(tmp(), 'out');
    const c = coordinator(redis.url, [...args(m), '--out', out]);
    await worker.waitFor(/serving run/);
    await sleep(1_000);
    await redis.kill();
    expect(await c.exited, c.stderr()).toBe(1);
    expect(c.stderr()).toMatch(/xmargin: the job queue failed.*Redis at redis:\/\/127\.0\.0\.1:\d+\/?: the connection was lost/);
    expect(existsSync(out)).toBe(false);
    expect(await worker.stop()).toBe(0);
  }, 90_000);
});
