// The units' exposure and attribution as text, JSON and CSV at once. They are most of a large
// book's report (on L, 30 of its 34 MB of JSON and both CSVs of them), and spelling a double
// as text is most of what writing them costs: here each number is spelled once, for both files,
// and an underlying a unit holds nothing in (the same frozen entry for every such unit:
// risk/exposure.ts) is spelled once for the whole report. The JSON is exactly what
// JSON.stringify writes for the same object: the shapes are written out here field by field, in
// the order the risk modules build them, and test/report/unit-text.test.ts holds the two equal on
// real reports. A unit whose keys are not the expected ones (a field added without updating
// this file) is handed to JSON.stringify whole, so it can be slower but never wrong; the entries
// and items inside are not checked one by one (275,000 on L), the tests hold them.
import type { Attribution } from '../risk/attribution.js';
import type { Exposure, UnderlyingExposure } from '../risk/exposure.js';

/** A number as JSON spells it (finite numbers only reach a report: assertFinite). */
const num = (x: number): string => (Number.isFinite(x) ? String(x) : 'null');
const numOrNull = (x: number | null): string => (x === null ? 'null' : num(x));
const str = (s: string): string => JSON.stringify(s);

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

export interface UnitText {
  /** JSON.stringify of the object. */
  json: string;
  /** Its CSV rows, each after the unit's leading cells (exposure.csv: `level,id,`; attribution.csv: `level,id,set,es`). */
  rows: string[];
}

export class UnitTexts {
  /** JSON of frozen (shared) entries, by identity. */
  private readonly shared = new WeakMap<object, string>();

  /**
   * A unit's exposure: its JSON, and its exposure.csv rows (`underlying,delta,gamma,vega,theta,
   * grossNotional`), one per underlying it holds something in (an all-zero entry has no row).
   */
  exposure(e: Exposure): UnitText {
    const rows: string[] = [];
    const entries: string[] = new Array(e.byUnderlying.length);
    e.byUnderlying.forEach((u, i) => (entries[i] = this.entry(u, rows)));
    if (!hasKeys(e, EXPOSURE) || (e.largestUnderlying !== null && !hasKeys(e.largestUnderlying, LARGEST)))
      return { json: JSON.stringify(e), rows };
    const largest =
      e.largestUnderlying === null ? 'null' : `{"id":${str(e.largestUnderlying.id)},"share":${num(e.largestUnderlying.share)}}`;
    const json =
      `{"byUnderlying":[${entries.join(',')}],"grossNotional":${num(e.grossNotional)},"netDelta":${num(e.netDelta)},` +
      `"leverage":${numOrNull(e.leverage)},"concentration":${numOrNull(e.concentration)},"largestUnderlying":${largest}}`;
    return { json, rows };
  }

  private entry(u: UnderlyingExposure, rows: string[]): string {
    const frozen = Object.isFrozen(u);
    if (frozen) {
      const known = this.shared.get(u);
      if (known !== undefined) {
        if (u.delta !== 0 || u.gamma !== 0 || u.vega !== 0 || u.theta !== 0 || u.grossNotional !== 0)
          rows.push(`${csvField(u.id)},${num(u.delta)},${num(u.gamma)},${num(u.vega)},${num(u.theta)},${num(u.grossNotional)}`);
        return known;
      }
    }
    const held = u.delta !== 0 || u.gamma !== 0 || u.vega !== 0 || u.theta !== 0 || u.grossNotional !== 0;
    const d = num(u.delta);
    const g = num(u.gamma);
    const v = num(u.vega);
    const t = num(u.theta);
    const n = num(u.grossNotional);
    const json = `{"id":${str(u.id)},"delta":${d},"gamma":${g},"vega":${v},"theta":${t},"grossNotional":${n}}`;
    if (held) rows.push(`${csvField(u.id)},${d},${g},${v},${t},${n}`);
    if (frozen) this.shared.set(u, json);
    return json;
  }

  /**
   * A unit's attribution: its JSON, and its attribution.csv rows (`,component,account,instrument,
   * underlying,contribution,standalone,diversification`): its accounts, underlyings and top positions.
   */
  attribution(a: Attribution): UnitText {
    const rows: string[] = [];
    const parts: string[] = [];
    const keys = Object.keys(a).filter((k) => (a as unknown as Record<string, unknown>)[k] !== undefined);
    const expected =
      a.byAccount !== undefined ? 'set,es,byAccount,byUnderlying,topPositions' : 'set,es,byUnderlying,topPositions';
    const plain = keys.join(',') === expected;
    if (a.byAccount !== undefined) {
      const items = a.byAccount.map((x) => {
        const c = num(x.contribution);
        const s = num(x.standalone);
        const d = num(x.diversification);
        rows.push(`,account,${csvField(x.id)},,,${c},${s},${d}`);
        return `{"id":${str(x.id)},"contribution":${c},"standalone":${s},"diversification":${d}}`;
      });
      parts.push(`"byAccount":[${items.join(',')}]`);
    }
    const underlyings = a.byUnderlying.map((x) => {
      const c = num(x.contribution);
      rows.push(`,underlying,,,${csvField(x.id)},${c},,`);
      return `{"id":${str(x.id)},"contribution":${c}}`;
    });
    const positions = a.topPositions.map((x) => {
      const c = num(x.contribution);
      rows.push(`,position,${csvField(x.account)},${csvField(x.instrument)},,${c},,`);
      return `{"account":${str(x.account)},"instrument":${str(x.instrument)},"contribution":${c}}`;
    });
    if (!plain) return { json: JSON.stringify(a), rows };
    const json =
      `{"set":${str(a.set)},"es":${num(a.es)},${parts.length ? `${parts[0]},` : ''}` +
      `"byUnderlying":[${underlyings.join(',')}],"topPositions":[${positions.join(',')}]}`;
    return { json, rows };
  }
}
