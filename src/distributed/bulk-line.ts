// A connection to Redis for large values only (task results, their slices, blobs): one command at
// a time, the value written from where it lies and read into where it belongs.
//
// Why not the client the queue uses (ioredis). It builds every command in one fresh buffer (a SET
// of a 14 MB result is first copied into a new 14 MB buffer) and hands every reply over in fresh
// buffers the size of the reads, concatenated again when a value spans reads. On the machines the
// benchmarks run on, first touching fresh memory is what costs (about 14 us per 4 KiB page), and
// the garbage it leaves kept the collector busy: on L a worker's main thread spent about 3 s of
// CPU moving its results, as much as a third of its compute. Here a value goes to the socket as
// views of the caller's arrays (the kernel copies them once), and replies are read into one
// buffer that is reused for every read (the socket's `onread`), then copied once into the
// caller's array.
//
// It speaks just enough RESP2 for that: AUTH and SELECT from the URL, SET with EX, GET, GETRANGE.
// SET is atomic on the server: a value is there whole or not at all.
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { queueDefaults, redactUrl } from './keys.js';

/** The reused read buffer: large enough that a value arrives in few reads. */
const READ_BUFFER_BYTES = 256 * 1024;

type Reply = { kind: 'status' } | { kind: 'bulk'; bytes: number } | { kind: 'nil' };

interface Pending {
  /** Where a bulk reply's bytes go, given their length (undefined: discard). */
  sink: (length: number) => Uint8Array | undefined;
  resolve: (reply: Reply) => void;
  reject: (err: Error) => void;
}

/** One socket and what is in flight on it: its commands in order, its parser's state. */
interface Connection {
  socket: Socket;
  queue: Pending[];
  /** A reply's header line so far. */
  line: string;
  /** A bulk reply being copied to its sink. */
  bulk: { into: Uint8Array | undefined; at: number; length: number; crlf: number } | undefined;
}

export class BulkLine {
  private conn: Connection | undefined;
  private opening: Promise<Connection> | undefined;
  private closed = false;

  constructor(private readonly url: string) {}

  /** Stores `parts` one after another as the value at `key`, expiring after `ttlSeconds`. */
  async set(key: string, parts: ArrayBufferView[], ttlSeconds: number): Promise<void> {
    const total = parts.reduce((a, p) => a + p.byteLength, 0);
    const ttl = String(ttlSeconds);
    const head = Buffer.from(`*5\r\n$3\r\nSET\r\n$${Buffer.byteLength(key)}\r\n${key}\r\n$${total}\r\n`);
    const tail = Buffer.from(`\r\n$2\r\nEX\r\n$${ttl.length}\r\n${ttl}\r\n`);
    const views = parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength));
    await this.command([head, ...views, tail], () => undefined);
  }

  /** The value at `key` in a fresh array, or undefined when there is none. */
  async get(key: string): Promise<Uint8Array | undefined> {
    let out: Uint8Array | undefined;
    const reply = await this.command(this.encode(['GET', key]), (n) => (out = new Uint8Array(n)));
    return reply.kind === 'bulk' ? out : undefined;
  }

  /**
   * Bytes [from, from + into.byteLength) of the value at `key`, into `into`. False when the key is
   * not there or the value ends before (it expired or was removed meanwhile).
   */
  async read(key: string, from: number, into: Uint8Array): Promise<boolean> {
    if (into.byteLength === 0) return true;
    let got = -1;
    await this.command(this.encode(['GETRANGE', key, String(from), String(from + into.byteLength - 1)]), (n) => {
      got = n;
      return n === into.byteLength ? into : undefined;
    });
    return got === into.byteLength;
  }

  close(): void {
    this.closed = true;
    const c = this.conn;
    this.conn = undefined;
    c?.socket.destroy();
    if (c) this.fail(c, new Error('the connection was closed'));
  }

  private encode(args: string[]): Buffer[] {
    return [Buffer.from(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`)];
  }

  private async command(chunks: Buffer[], sink: Pending['sink']): Promise<Reply> {
    return this.send(await this.open(), chunks, sink);
  }

  private send(c: Connection, chunks: Buffer[], sink: Pending['sink']): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      if (c.socket.destroyed) return reject(new Error(`Redis at ${redactUrl(this.url)}: the connection was lost`));
      c.queue.push({ sink, resolve, reject });
      // Views of the caller's arrays: the socket holds them until written, and copies nothing.
      for (const chunk of chunks) c.socket.write(chunk);
    });
  }

  private open(): Promise<Connection> {
    if (this.closed) return Promise.reject(new Error('the connection was closed'));
    if (this.conn && !this.conn.socket.destroyed) return Promise.resolve(this.conn);
    this.opening ??= this.connect().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async connect(): Promise<Connection> {
    const u = new URL(this.url);
    const host = u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
    const port = Number(u.port) || 6379;
    const where = redactUrl(this.url);
    const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    let c: Connection | undefined;
    const onread = { buffer, callback: (n: number, b: Uint8Array) => (c ? this.receive(c, b, n) : true) };
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s =
        u.protocol === 'rediss:'
          ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), onread } as unknown as ConnectionOptions)
          : netConnect({ host, port, onread });
      const timer = setTimeout(() => s.destroy(new Error('connect timed out')), queueDefaults.reconnectMs);
      s.once(u.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    }).catch((err: Error) => {
      throw new Error(`Redis at ${where}: ${err.message}`);
    });
    const conn: Connection = (c = { socket, queue: [], line: '', bulk: undefined });
    socket.setNoDelay(true);
    socket.on('error', (err) => this.fail(conn, new Error(`Redis at ${where}: ${err.message}`)));
    socket.on('close', () => this.fail(conn, new Error(`Redis at ${where}: the connection was lost`)));
    const user = decodeURIComponent(u.username);
    const password = decodeURIComponent(u.password);
    const db = u.pathname.replace(/^\//, '');
    try {
      if (password) await this.send(conn, this.encode(user ? ['AUTH', user, password] : ['AUTH', password]), () => undefined);
      if (db && db !== '0') await this.send(conn, this.encode(['SELECT', db]), () => undefined);
    } catch (err) {
      // A line that is not signed in is no line: the next command connects again.
      socket.destroy();
      throw err;
    }
    this.conn = conn;
    return conn;
  }

  /** Everything in flight on a connection that went fails with it; the next command connects again. */
  private fail(c: Connection, err: Error): void {
    if (this.conn === c) this.conn = undefined;
    c.socket.destroy();
    for (const p of c.queue.splice(0)) p.reject(err);
  }

  /** Bytes read from the socket: header lines parsed, bulk bytes copied to their sink. */
  private receive(c: Connection, b: Uint8Array, n: number): boolean {
    let i = 0;
    while (i < n) {
      const bulk = c.bulk;
      if (bulk) {
        const take = Math.min(n - i, bulk.length - bulk.at);
        if (take > 0) {
          bulk.into?.set(b.subarray(i, i + take), bulk.at);
          bulk.at += take;
          i += take;
          continue;
        }
        // The CRLF after a bulk's bytes.
        const skip = Math.min(n - i, 2 - bulk.crlf);
        bulk.crlf += skip;
        i += skip;
        if (bulk.crlf === 2) {
          c.bulk = undefined;
          c.queue.shift()?.resolve({ kind: 'bulk', bytes: bulk.length });
        }
        continue;
      }
      const lf = b.indexOf(10, i);
      const end = lf < 0 || lf >= n ? n : lf + 1;
      c.line += Buffer.from(b.buffer, b.byteOffset + i, end - i).toString('latin1');
      i = end;
      if (!c.line.endsWith('\r\n')) continue;
      const line = c.line.slice(0, -2);
      c.line = '';
      const pending = c.queue[0];
      if (!pending) continue;
      const type = line[0];
      if (type === '-') {
        c.queue.shift();
        pending.reject(new Error(`Redis: ${line.slice(1)}`));
      } else if (type === '$') {
        const length = Number(line.slice(1));
        if (length < 0) {
          c.queue.shift();
          pending.resolve({ kind: 'nil' });
        } else c.bulk = { into: pending.sink(length), at: 0, length, crlf: 0 };
      } else {
        c.queue.shift();
        pending.resolve({ kind: 'status' });
      }
    }
    return true;
  }
}
