// Text spelled straight into UTF-8: one buffer, filled and handed on (to a file, io/atomic.ts)
// again and again. A large report is mostly numbers in small pieces (on L 46 MB of JSON and CSV
// from about 600,000 items): built as strings first, they were tens of MB of short-lived
// strings, each flattened and encoded again on the way out, and the writing took a second of
// the coordinator's time. Here each number is spelled once, as a short string, and copied into
// memory already touched.
import { Buffer } from 'node:buffer';

/** Bytes gathered before the sink hands them on. */
const SINK_BYTES = 1024 * 1024;
/** Strings up to this long are tried as plain ASCII, a byte at a time (ids, CSV heads). */
const SHORT = 256;

export class TextSink {
  private readonly buffer = Buffer.allocUnsafe(SINK_BYTES);
  private used = 0;

  /** `drain` takes each full buffer's bytes (valid during the call only), and the rest on flush. */
  constructor(private readonly drain: (bytes: Uint8Array) => void) {}

  /** Characters below 0x80 only (numbers, JSON keys and punctuation): a byte each, no encoder. */
  ascii(s: string): void {
    const n = s.length;
    if (n > SINK_BYTES - this.used) {
      this.flush();
      if (n > SINK_BYTES) return this.text(s);
    }
    const b = this.buffer;
    let at = this.used;
    for (let i = 0; i < n; i++) b[at++] = s.charCodeAt(i);
    this.used = at;
  }

  /** Any text, as UTF-8. */
  text(s: string): void {
    if (s.length <= SHORT && this.plain(s, 0x80, -1, -1)) return;
    this.encoded(s);
  }

  /** `s` as a JSON string: quoted, and escaped as JSON.stringify escapes it. */
  json(s: string): void {
    // Printable ASCII but the quote and the backslash needs no escape: copied between quotes.
    if (s.length <= SHORT) {
      if (s.length + 2 > SINK_BYTES - this.used) this.flush();
      const at = this.used;
      this.buffer[at] = 0x22;
      this.used = at + 1;
      if (this.plain(s, 0x7f, 0x22, 0x5c, 0x20)) {
        this.buffer[this.used++] = 0x22;
        return;
      }
      this.used = at;
    }
    this.encoded(JSON.stringify(s));
  }

  /** `s` as a CSV field, quoted when it must be (`quote`: RFC 4180, as report/unit-text.ts csvField). */
  csv(s: string, quote: (s: string) => string): void {
    // Printable ASCII without a quote or a comma needs no quoting.
    if (s.length <= SHORT && this.plain(s, 0x80, 0x22, 0x2c, 0x20)) return;
    this.encoded(quote(s));
  }

  /**
   * Copies `s` if every character is below `below` (and at or above `from`), and is neither `a`
   * nor `b`; else writes nothing and says so. Short strings only: for them a loop here is
   * cheaper than a call into the encoder.
   */
  private plain(s: string, below: number, a: number, b: number, from = 0): boolean {
    const n = s.length;
    if (n > SINK_BYTES - this.used) this.flush();
    const buf = this.buffer;
    const at = this.used;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= below || c < from || c === a || c === b) return false;
      buf[at + i] = c;
    }
    this.used = at + n;
    return true;
  }

  /** Any text, as UTF-8, through the encoder. */
  private encoded(s: string): void {
    // A UTF-16 unit is at most 3 bytes of UTF-8: a run of at most this many units always fits an empty buffer.
    const most = Math.floor(SINK_BYTES / 3);
    for (let from = 0; from < s.length;) {
      let to = Math.min(s.length, from + most);
      // Never between the two halves of a surrogate pair: each half alone would be encoded as U+FFFD.
      const last = s.charCodeAt(to - 1);
      if (to < s.length && last >= 0xd800 && last <= 0xdbff) to--;
      if (3 * (to - from) > SINK_BYTES - this.used) this.flush();
      this.used += this.buffer.write(from === 0 && to === s.length ? s : s.slice(from, to), this.used);
      from = to;
    }
  }

  /** Bytes of UTF-8. */
  bytes(b: Uint8Array): void {
    if (b.length > SINK_BYTES - this.used) {
      this.flush();
      if (b.length > SINK_BYTES) {
        this.drain(b);
        return;
      }
    }
    this.buffer.set(b, this.used);
    this.used += b.length;
  }

  /** Hands on what is gathered. */
  flush(): void {
    if (this.used === 0) return;
    this.drain(this.buffer.subarray(0, this.used));
    this.used = 0;
  }
}

/** A piece of a text: a string, its UTF-8, or a function that spells it into the sink. */
export type TextPiece = string | Uint8Array | ((sink: TextSink) => void);

/** Writes the pieces into the sink, one after another. */
export function spellPieces(pieces: readonly TextPiece[], sink: TextSink): void {
  for (const piece of pieces) {
    if (typeof piece === 'string') sink.text(piece);
    else if (piece instanceof Uint8Array) sink.bytes(piece);
    else piece(sink);
  }
}

/** The pieces as one string (what a file of them holds, decoded). */
export function piecesText(pieces: readonly TextPiece[]): string {
  const chunks: Uint8Array[] = [];
  // A copy: the bytes are the sink's buffer (and a Buffer's slice would be a view of it).
  const sink = new TextSink((bytes) => chunks.push(new Uint8Array(bytes)));
  spellPieces(pieces, sink);
  sink.flush();
  return Buffer.concat(chunks).toString('utf8');
}
