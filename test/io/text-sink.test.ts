// The sink that reports are spelled into (io/text-sink.ts): whatever way a piece goes in (a byte
// at a time, through the encoder, as bytes, quoted for JSON or CSV), the bytes out are the UTF-8
// of the text a string join would give, across every flush of its 1 MiB buffer.
import { describe, expect, it } from 'vitest';
import { piecesText, spellPieces, TextSink } from '../../src/io/text-sink.js';
import { csvField } from '../../src/report/unit-text.js';

/** Everything the sink hands on, joined. */
function collect(write: (sink: TextSink) => void): Buffer {
  const chunks: Buffer[] = [];
  const sink = new TextSink((bytes) => chunks.push(Buffer.from(bytes)));
  write(sink);
  sink.flush();
  return Buffer.concat(chunks);
}

// Strings of every kind the fast paths must tell apart: plain ids, JSON escapes, CSV quoting,
// control characters, DEL, non-ASCII, pairs and lone halves of surrogates, long ones.
const odd = [
  '',
  'BTC',
  'acct-0042',
  'a "quoted" id',
  'back\\slash',
  'comma,id',
  'new\nline',
  'carriage\rreturn',
  'tab\there',
  '\u0000nul',
  'del\u007f',
  'ü,"x"',
  'emoji 🚀',
  'lone \ud800 high',
  'lone \udc00 low',
  'x'.repeat(255),
  'y'.repeat(256),
  'z'.repeat(257) + '"',
  'é'.repeat(300),
];

describe('TextSink', () => {
  it('spells JSON strings as JSON.stringify, CSV fields as csvField, text as UTF-8', () => {
    // Bytes against bytes: a lone surrogate has no UTF-8 and becomes U+FFFD either way.
    const utf8 = (s: string) => Buffer.from(s, 'utf8');
    for (const s of odd) {
      expect(collect((k) => k.json(s)).equals(utf8(JSON.stringify(s))), JSON.stringify(s)).toBe(true);
      expect(collect((k) => k.csv(s, csvField)).equals(utf8(csvField(s))), JSON.stringify(s)).toBe(true);
      expect(collect((k) => k.text(s)).equals(utf8(s)), JSON.stringify(s)).toBe(true);
    }
  });

  it('gives the same bytes across its flushes, whatever the mix of pieces', () => {
    // About 5 MB of pieces of every kind, so that pieces fall across the buffer's edges, plus
    // pieces larger than the buffer itself, as text and as bytes.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const big = 'Ω'.repeat(600_000) + 'a'.repeat(300_000);
    const parts: { kind: 'ascii' | 'text' | 'json' | 'csv' | 'bytes'; s: string }[] = [];
    for (let i = 0; i < 60_000; i++) {
      const s = odd[Math.floor(next() * odd.length)];
      const r = next();
      if (r < 0.2) parts.push({ kind: 'ascii', s: String(next() * 1e6) });
      else if (r < 0.4) parts.push({ kind: 'text', s });
      else if (r < 0.6) parts.push({ kind: 'json', s });
      else if (r < 0.8) parts.push({ kind: 'csv', s });
      else parts.push({ kind: 'bytes', s });
      if (i % 20_000 === 0)
        parts.push({ kind: 'text', s: big }, { kind: 'bytes', s: big }, { kind: 'ascii', s: 'q'.repeat(1_100_000) });
    }
    const expected = parts
      .map(({ kind, s }) => (kind === 'json' ? JSON.stringify(s) : kind === 'csv' ? csvField(s) : s))
      .join('');
    const got = collect((k) => {
      for (const { kind, s } of parts) {
        if (kind === 'ascii') k.ascii(s);
        else if (kind === 'text') k.text(s);
        else if (kind === 'json') k.json(s);
        else if (kind === 'csv') k.csv(s, csvField);
        else k.bytes(Buffer.from(s, 'utf8'));
      }
    });
    expect(got.length).toBeGreaterThan(4 * 1024 * 1024);
    expect(got.equals(Buffer.from(expected, 'utf8'))).toBe(true);
  });

  it('spells pieces of text, bytes and functions one after another', () => {
    const pieces = ['{"a":', Buffer.from('[1,2]'), (k: TextSink) => k.json('ü"'), '}'];
    expect(piecesText(pieces)).toBe('{"a":[1,2]"ü\\""}');
    expect(collect((k) => spellPieces(pieces, k)).toString('utf8')).toBe('{"a":[1,2]"ü\\""}');
  });
});
