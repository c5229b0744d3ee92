// report.json's layout: indented for reading when small, compact when large (write.ts).
import { describe, expect, it } from 'vitest';
import { INDENTED_REPORT_MAX_CHARS, reportJson } from '../../src/report/write.js';
import type { Report } from '../../src/index.js';

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
