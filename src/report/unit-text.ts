// The units' exposure and attribution as text, JSON and CSV, spelled straight into the file's
// buffer (io/text-sink.ts). They are most of a large book's report (on L, 30 of its 34 MB of JSON
// and both CSVs): built as strings first, they were hundreds of thousands of short strings,
// concatenated, flattened and encoded again on the way out, most of the coordinator's time in
// writing. Here a number is spelled as a short string and copied at once, and an underlying a
// unit holds nothing in (the same frozen entry for every such unit: risk/exposure.ts) is spelled
// once for the whole report, its UTF-8 copied wherever it appears. The JSON is exactly what
// JSON.stringify writes for the same object: the shapes are written out here field by field, in
// the order the risk modules build them, and test/report/unit-text.test.ts holds the two equal on
// real reports. A unit whose keys are not the expected ones (a field added without updating
// this file) is handed to JSON.stringify whole, so it can be slower but never wrong; the entries
// and items inside are not checked one by one (275,000 on L), the tests hold them.
import type { TextSink } from '../io/text-sink.js';
import type { Attribution } from '../risk/attribution.js';
import type { Exposure, UnderlyingExposure } from '../risk/exposure.js';

/** A number as JSON spells it (finite numbers only reach a report: assertFinite). */
const num = (x: number): string => (Number.isFinite(x) ? String(x) : 'null');
const numOrNull = (x: number | null): string => (x === null ? 'null' : num(x));
const str = (s: string): string => JSON.stringify(s);
const utf8 = new TextEncoder();

/** RFC 4180 quoting: a field with a comma, quote or newline is quoted, quotes doubled. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  // A number never needs quoting; a large book's CSVs are mostly numbers.
  if (typeof v === 'number') return String(v);
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const hasKeys = (o: object, keys: string): boolean => Object.keys(o).join(',') === keys;
const EXPOSURE = 'byUnderlying,grossNotional,netDelta,leverage,concentration,largestUnderlying';
const LARGEST = 'id,share';

const held = (u: UnderlyingExposure): boolean =>
  u.delta !== 0 || u.gamma !== 0 || u.vega !== 0 || u.theta !== 0 || u.grossNotional !== 0;

/**
 * Spells units into sinks; one per report written, as it keeps the UTF-8 of the report's shared
 * entries, and each unit's numbers as its JSON spelled them, for its CSV lines (report.json is
 * written first): spelling a double is most of the time here, and the CSVs repeat the JSON's.
 */
export class UnitSpeller {
  /** The UTF-8 of frozen (shared) entries after a comma, by identity. */
  private readonly shared = new WeakMap<object, Uint8Array>();
  /** A unit's numbers as its JSON spelled them, in the order its CSV lines take them. */
  private readonly spelled = new WeakMap<object, string[]>();

  /** A unit's exposure as JSON. */
  exposureJson(e: Exposure, out: TextSink): void {
    if (!hasKeys(e, EXPOSURE) || (e.largestUnderlying !== null && !hasKeys(e.largestUnderlying, LARGEST))) {
      out.text(JSON.stringify(e));
      return;
    }
    out.ascii('{"byUnderlying":[');
    const entries = e.byUnderlying;
    const numbers: string[] = [];
    for (let i = 0; i < entries.length; i++) this.entryJson(entries[i], i > 0, out, numbers);
    this.spelled.set(e, numbers);
    out.ascii('],"grossNotional":');
    out.ascii(num(e.grossNotional));
    out.ascii(',"netDelta":');
    out.ascii(num(e.netDelta));
    out.ascii(',"leverage":');
    out.ascii(numOrNull(e.leverage));
    out.ascii(',"concentration":');
    out.ascii(numOrNull(e.concentration));
    out.ascii(',"largestUnderlying":');
    if (e.largestUnderlying === null) out.ascii('null');
    else {
      out.ascii('{"id":');
      out.json(e.largestUnderlying.id);
      out.ascii(',"share":');
      out.ascii(num(e.largestUnderlying.share));
      out.ascii('}');
    }
    out.ascii('}');
  }

  /** An entry's JSON, after a comma when `comma`; its numbers into `numbers` when it has a CSV line and is not shared. */
  private entryJson(u: UnderlyingExposure, comma: boolean, out: TextSink, numbers: string[]): void {
    if (Object.isFrozen(u)) {
      let bytes = this.shared.get(u);
      if (bytes === undefined) {
        bytes = utf8.encode(
          `,{"id":${str(u.id)},"delta":${num(u.delta)},"gamma":${num(u.gamma)},"vega":${num(u.vega)},` +
            `"theta":${num(u.theta)},"grossNotional":${num(u.grossNotional)}}`,
        );
        this.shared.set(u, bytes);
      }
      out.bytes(comma ? bytes : bytes.subarray(1));
      return;
    }
    const d = num(u.delta);
    const g = num(u.gamma);
    const v = num(u.vega);
    const t = num(u.theta);
    const n = num(u.grossNotional);
    if (held(u)) numbers.push(d, g, v, t, n);
    out.ascii(comma ? ',{"id":' : '{"id":');
    out.json(u.id);
    out.ascii(',"delta":');
    out.ascii(d);
    out.ascii(',"gamma":');
    out.ascii(g);
    out.ascii(',"vega":');
    out.ascii(v);
    out.ascii(',"theta":');
    out.ascii(t);
    out.ascii(',"grossNotional":');
    out.ascii(n);
    out.ascii('}');
  }

  /**
   * A unit's exposure.csv lines: `head` (`level,id,`), then `underlying,delta,gamma,vega,theta,
   * grossNotional`, one per underlying it holds something in (an all-zero entry has no line).
   */
  exposureLines(e: Exposure, head: string, out: TextSink): void {
    const numbers = this.spelled.get(e);
    let at = 0;
    for (const u of e.byUnderlying) {
      if (!held(u)) continue;
      const known = numbers !== undefined && !Object.isFrozen(u);
      out.text(head);
      out.csv(u.id, csvField);
      out.ascii(',');
      out.ascii(known ? numbers[at++] : num(u.delta));
      out.ascii(',');
      out.ascii(known ? numbers[at++] : num(u.gamma));
      out.ascii(',');
      out.ascii(known ? numbers[at++] : num(u.vega));
      out.ascii(',');
      out.ascii(known ? numbers[at++] : num(u.theta));
      out.ascii(',');
      out.ascii(known ? numbers[at++] : num(u.grossNotional));
      out.ascii('\n');
    }
  }

  /** A unit's attribution as JSON. */
  attributionJson(a: Attribution, out: TextSink): void {
    const keys = Object.keys(a).filter((k) => (a as unknown as Record<string, unknown>)[k] !== undefined);
    const expected =
      a.byAccount !== undefined ? 'set,es,byAccount,byUnderlying,topPositions' : 'set,es,byUnderlying,topPositions';
    if (keys.join(',') !== expected) {
      out.text(JSON.stringify(a));
      return;
    }
    const numbers: string[] = [];
    const spell = (x: number): string => {
      const text = num(x);
      numbers.push(text);
      return text;
    };
    out.ascii('{"set":');
    out.json(a.set);
    out.ascii(',"es":');
    out.ascii(num(a.es));
    if (a.byAccount !== undefined) {
      out.ascii(',"byAccount":[');
      a.byAccount.forEach((x, i) => {
        out.ascii(i > 0 ? ',{"id":' : '{"id":');
        out.json(x.id);
        out.ascii(',"contribution":');
        out.ascii(spell(x.contribution));
        out.ascii(',"standalone":');
        out.ascii(spell(x.standalone));
        out.ascii(',"diversification":');
        out.ascii(spell(x.diversification));
        out.ascii('}');
      });
      out.ascii(']');
    }
    out.ascii(',"byUnderlying":[');
    a.byUnderlying.forEach((x, i) => {
      out.ascii(i > 0 ? ',{"id":' : '{"id":');
      out.json(x.id);
      out.ascii(',"contribution":');
      out.ascii(spell(x.contribution));
      out.ascii('}');
    });
    out.ascii('],"topPositions":[');
    a.topPositions.forEach((x, i) => {
      out.ascii(i > 0 ? ',{"account":' : '{"account":');
      out.json(x.account);
      out.ascii(',"instrument":');
      out.json(x.instrument);
      out.ascii(',"contribution":');
      out.ascii(spell(x.contribution));
      out.ascii('}');
    });
    out.ascii(']}');
    this.spelled.set(a, numbers);
  }

  /**
   * A unit's attribution.csv lines: `head` (`level,id,set,es`), then `,component,account,
   * instrument,underlying,contribution,standalone,diversification`: its accounts, underlyings and
   * top positions.
   */
  attributionLines(a: Attribution, head: string, out: TextSink): void {
    // The JSON's numbers when it was spelled (in the same order), else spelled here.
    const numbers = this.spelled.get(a);
    let at = 0;
    const spelled = (x: number): string => (numbers !== undefined ? numbers[at++] : num(x));
    for (const x of a.byAccount ?? []) {
      out.text(head);
      out.ascii(',account,');
      out.csv(x.id, csvField);
      out.ascii(',,,');
      out.ascii(spelled(x.contribution));
      out.ascii(',');
      out.ascii(spelled(x.standalone));
      out.ascii(',');
      out.ascii(spelled(x.diversification));
      out.ascii('\n');
    }
    for (const x of a.byUnderlying) {
      out.text(head);
      out.ascii(',underlying,,,');
      out.csv(x.id, csvField);
      out.ascii(',');
      out.ascii(spelled(x.contribution));
      out.ascii(',,\n');
    }
    for (const x of a.topPositions) {
      out.text(head);
      out.ascii(',position,');
      out.csv(x.account, csvField);
      out.ascii(',');
      out.csv(x.instrument, csvField);
      out.ascii(',,');
      out.ascii(spelled(x.contribution));
      out.ascii(',,\n');
    }
  }
}
