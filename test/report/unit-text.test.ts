// The units' exposure and attribution spelled field by field into the files (unit-text.ts), the
// CSVs taking the numbers report.json spelled, against the plain way: JSON.stringify of the whole report, and each CSV row spelled from the
// objects cell by cell. On real reports: the contract's second example (exposure with collateral,
// attribution with byAccount) and a synthetic book with many underlyings per unit.
import { describe, expect, it } from 'vitest';
import { run, type Report } from '../../src/index.js';
import { attributionCsv, exposureCsv } from '../../src/report/csv.js';
import { compactReportJson, writeReport } from '../../src/report/write.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from '../../src/synth/index.js';
import { example2 } from '../helpers/example2.js';

const cell = (v: unknown) => {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** exposure.csv as its documentation says, from the objects. */
function plainExposureCsv(r: Report): string {
  const rows = [['level', 'id', 'underlying', 'delta', 'gamma', 'vega', 'theta', 'grossNotional']];
  const units = [
    ...r.portfolios.map((p) => ['portfolio', p.id, p.exposure] as const),
    ...r.portfolios.flatMap((p) => p.segregated.accounts.map((a) => ['account', a.id, a.exposure] as const)),
  ];
  for (const [level, id, e] of units)
    for (const u of e.byUnderlying)
      if ([u.delta, u.gamma, u.vega, u.theta, u.grossNotional].some((x) => x !== 0))
        rows.push([level, id, u.id, u.delta, u.gamma, u.vega, u.theta, u.grossNotional].map(cell));
  return rows.map((r) => r.join(',')).join('\n') + '\n';
}

/** attribution.csv as its documentation says, from the objects. */
function plainAttributionCsv(r: Report): string {
  const rows: unknown[][] = [
    [
      'level',
      'id',
      'set',
      'es',
      'component',
      'account',
      'instrument',
      'underlying',
      'contribution',
      'standalone',
      'diversification',
    ],
  ];
  const units = [
    ...r.portfolios.map((p) => ['portfolio', p.id, p.cross.attribution] as const),
    ...r.portfolios.flatMap((p) => p.segregated.accounts.map((a) => ['account', a.id, a.attribution] as const)),
  ];
  for (const [level, id, a] of units) {
    if (!a) continue;
    for (const x of a.byAccount ?? [])
      rows.push([level, id, a.set, a.es, 'account', x.id, '', '', x.contribution, x.standalone, x.diversification]);
    for (const x of a.byUnderlying) rows.push([level, id, a.set, a.es, 'underlying', '', '', x.id, x.contribution, '', '']);
    for (const x of a.topPositions)
      rows.push([level, id, a.set, a.es, 'position', x.account, x.instrument, '', x.contribution, '', '']);
  }
  return rows.map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

describe('exposure and attribution spelled once', () => {
  it('give the JSON of JSON.stringify and the plain CSVs, on the second contract example and a synthetic book', async () => {
    const ex = example2();
    const s = synthesize('S', 3);
    const reports = [
      await run({ market: ex.market, book: ex.book, suite: ex.suite, baseDir: ex.baseDir, workers: 1 }),
      await run({ market: s.market, book: s.book, suite: s.suite, workers: 2 }),
    ];
    for (const r of reports) {
      expect(r.portfolios.some((p) => p.cross.attribution?.byAccount?.length)).toBe(true);
      expect(r.portfolios.some((p) => p.exposure.largestUnderlying !== null)).toBe(true);
      expect(compactReportJson(r)).toBe(JSON.stringify(r));
      expect(exposureCsv(r)).toBe(plainExposureCsv(r));
      expect(attributionCsv(r)).toBe(plainAttributionCsv(r));
      // Written together, the CSVs take the numbers as report.json spelled them.
      const dir = mkdtempSync(join(tmpdir(), 'xm-unit-text-'));
      writeReport(dir, r);
      const file = (name: string) => readFileSync(join(dir, name), 'utf8');
      expect(JSON.parse(file('report.json'))).toEqual(JSON.parse(JSON.stringify(r)));
      expect(file('exposure.csv')).toBe(plainExposureCsv(r));
      expect(file('attribution.csv')).toBe(plainAttributionCsv(r));
    }
    // Every shape the spelling knows: a unit with no collateral (leverage null), with no delta
    // (concentration and largest null), ids that CSV must quote and JSON must escape.
    const odd = structuredClone(reports[0]);
    const p = odd.portfolios[0];
    p.id = 'a "quoted", id\nwith a newline';
    p.exposure.leverage = null;
    p.exposure.concentration = null;
    p.exposure.largestUnderlying = null;
    p.exposure.byUnderlying[0] = { ...p.exposure.byUnderlying[0], id: 'ü,"x"', delta: -0, gamma: 1e-320 };
    expect(compactReportJson(odd)).toBe(JSON.stringify(odd));
    expect(exposureCsv(odd)).toBe(plainExposureCsv(odd));
    expect(attributionCsv(odd)).toBe(plainAttributionCsv(odd));
    // A unit of another shape (a field the spelling does not know) is stringified whole.
    (p.exposure as unknown as Record<string, unknown>).extra = [1, 'two'];
    (p.cross.attribution as unknown as Record<string, unknown>).extra = { a: 1 };
    expect(compactReportJson(odd)).toBe(JSON.stringify(odd));
    // Their CSV lines are spelled on their own then (no JSON of theirs spelled field by field).
    const dir = mkdtempSync(join(tmpdir(), 'xm-unit-text-'));
    writeReport(dir, odd);
    expect(readFileSync(join(dir, 'exposure.csv'), 'utf8')).toBe(plainExposureCsv(odd));
    expect(readFileSync(join(dir, 'attribution.csv'), 'utf8')).toBe(plainAttributionCsv(odd));
    // An id holding the splice's marker: the report is stringified whole, still exact.
    p.segregated.accounts[0].id = '\u00000';
    expect(compactReportJson(odd)).toBe(JSON.stringify(odd));
  });
});
