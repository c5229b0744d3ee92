// report.json's layout: indented for reading when small, compact when large (write.ts).
import { describe, expect, it } from 'vitest';
import { INDENTED_REPORT_MAX_CHARS, reportJson } from '../../src/report/write.js';
import type { Report } from '../../src/index.js';
import { assertFinite } from '../../src/report/report.js';

describe('reportJson', () => {
  it('indents a small report and writes a large one compact, the same document either way', () => {
    const small = { asOf: '2026-11-20', portfolios: [{ id: 'p', cross: { initialMargin: 1.5 } }] } as unknown as Report;
    const text = reportJson(small);
    expect(text).toBe(JSON.stringify(small, null, 2) + '\n');
    expect(text.split('\n').length).toBeGreaterThan(5);

    const many = Array.from({ length: Math.ceil(INDENTED_REPORT_MAX_CHARS / 20) }, (_, i) => ({ id: `p${i}`, im: i / 7 }));
    const large = { asOf: '2026-11-20', portfolios: many } as unknown as Report;
    const compact = reportJson(large);
    expect(compact).toBe(JSON.stringify(large) + '\n');
    expect(compact.length).toBeGreaterThan(INDENTED_REPORT_MAX_CHARS);
    expect(JSON.parse(compact)).toEqual(JSON.parse(JSON.stringify(large, null, 2)));
  });
});

describe('assertFinite', () => {
  it('passes a finite report and names the path of a value that is not finite', () => {
    const report = { a: [1, { b: 2, c: [3, 4] }], d: null, e: 'x' } as unknown as Report;
    expect(() => assertFinite(report)).not.toThrow();
    (report as any).a[1].c[1] = Number.NaN;
    expect(() => assertFinite(report)).toThrow('internal: non-finite value at $.a.1.c.1');
    (report as any).a[1].c[1] = 4;
    (report as any).z = { y: -Infinity };
    expect(() => assertFinite(report)).toThrow('internal: non-finite value at $.z.y');
    // A frozen object seen many times (a shared exposure entry) is checked once, and still checked.
    delete (report as any).z;
    const shared = Object.freeze({ delta: 0, gamma: 1 });
    (report as any).units = [shared, shared, { x: shared }];
    expect(() => assertFinite(report)).not.toThrow();
    (report as any).units.push(Object.freeze({ delta: Number.NaN }));
    expect(() => assertFinite(report)).toThrow('internal: non-finite value at $.units.3.delta');
  });
});
