// The line large values move on (bulk-line.ts), against a real redis-server: what it writes,
// ioredis reads back byte for byte, and what ioredis wrote it reads the same, whole or in ranges.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkLine } from '../../src/distributed/bulk-line.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
}, 30_000);
afterAll(async () => {
  await redis?.kill();
});

describe('a bulk line', () => {
  it('stores parts as one value with its expiry, and reads values and ranges of them', async () => {
    const line = new BulkLine(redis.url);
    const client = redis.client();
    try {
      // Larger than its read buffer, so that replies span many reads.
      const a = randomBytes(3 * 1024 * 1024 + 5);
      const b = new Float64Array([1.5, -0, Number.MAX_VALUE, 2 ** -1074]);
      await line.set('t:value', [a, b, new Uint8Array(0)], 100);
      const stored = await client.getBuffer('t:value');
      expect(Buffer.compare(stored!, Buffer.concat([a, Buffer.from(b.buffer)]))).toBe(0);
      const ttl = await client.ttl('t:value');
      expect(ttl).toBeGreaterThan(90);
      expect(ttl).toBeLessThanOrEqual(100);

      const got = await line.get('t:value');
      expect(Buffer.compare(Buffer.from(got!), stored!)).toBe(0);
      for (const [from, n] of [
        [0, 1],
        [1, 200_000],
        [a.length - 3, 3 + b.byteLength],
        [stored!.length - 1, 1],
      ]) {
        const into = new Uint8Array(n);
        expect(await line.read('t:value', from, into)).toBe(true);
        expect(Buffer.compare(Buffer.from(into), stored!.subarray(from, from + n))).toBe(0);
      }
      // Past the end, or no such key: false, and the line goes on.
      expect(await line.read('t:value', stored!.length - 2, new Uint8Array(4))).toBe(false);
      expect(await line.read('t:none', 0, new Uint8Array(4))).toBe(false);
      expect(await line.get('t:none')).toBeUndefined();
      // Empty values, and a value written by the other client.
      await line.set('t:empty', [], 100);
      expect((await line.get('t:empty'))!.byteLength).toBe(0);
      await client.set('t:other', Buffer.from('xmargin'));
      expect(Buffer.from((await line.get('t:other'))!).toString()).toBe('xmargin');
      // Many at once on the one line: answered in order.
      const many = await Promise.all(Array.from({ length: 50 }, (_, i) => line.get(i % 2 ? 't:other' : 't:none')));
      expect(many.map((m) => (m ? Buffer.from(m).toString() : undefined))).toEqual(
        Array.from({ length: 50 }, (_, i) => (i % 2 ? 'xmargin' : undefined)),
      );
    } finally {
      line.close();
    }
  });

  it("says Redis's own error, and authenticates with the URL's password", async () => {
    const client = redis.client();
    await client.set('t:list', 'x');
    await client.del('t:list');
    await client.rpush('t:list', 'a');
    const open = new BulkLine(redis.url);
    try {
      await expect(open.get('t:list')).rejects.toThrow(/WRONGTYPE/);
      // The line goes on after an error reply.
      await client.set('t:after', 'ok');
      expect(Buffer.from((await open.get('t:after'))!).toString()).toBe('ok');
    } finally {
      open.close();
    }
    await client.config('SET', 'requirepass', 's3cret');
    const wrong = new BulkLine(redis.url.replace('redis://', 'redis://:nope@'));
    const right = new BulkLine(redis.url.replace('redis://', 'redis://default:s3cret@'));
    try {
      await expect(wrong.get('t:after')).rejects.toThrow(/WRONGPASS|invalid password/i);
      expect(Buffer.from((await right.get('t:after'))!).toString()).toBe('ok');
    } finally {
      wrong.close();
      right.close();
      // Leave the server as the other tests expect it (this connection was open before the password).
      await client.config('SET', 'requirepass', '');
    }
  });

  it('fails what is in flight when Redis goes, with the server named', async () => {
    const own = await startRedis();
    const line = new BulkLine(own.url);
    try {
      expect(await line.get('t:none')).toBeUndefined();
      const pending = line.get('t:none').catch((err: Error) => err);
      await own.kill();
      // The command went before the kill or after: either way the answer is a clear failure
      // or the value, never a hang.
      const after = line.get('t:none');
      await expect(after).rejects.toThrow(/Redis at redis:\/\/127\.0\.0\.1:\d+/);
      await pending;
    } finally {
      line.close();
    }
  });
});
