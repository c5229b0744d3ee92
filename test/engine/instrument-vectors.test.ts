// An instrument's P&L vector computed from its definition alone (for a what-if's inline
// instrument) against the run's own row of the same instrument: the same bits, for every set type.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { bundledExample, createEngine, prepare } from '../../src/index.js';
import { buildInstrumentTable } from '../../src/engine/instruments.js';
import { instrumentSpec, rowSpec } from '../../src/engine/instrument-vectors.js';

describe('instrument vectors', () => {
  it("equal the plan's row of the same instrument, to the bit, for an option and a future in every set", async () => {
    const suite = parseYaml(readFileSync(bundledExample.suite, 'utf8')) as { scenarioSets: { type: string; count?: number }[] };
    for (const s of suite.scenarioSets) if (s.type === 'montecarlo') s.count = 3000;
    const plan = prepare({ market: bundledExample.market, book: bundledExample.book, suite });
    const engine = createEngine(plan, { workers: 2 });
    try {
      const option = plan.book.instruments.find((i) => i.type === 'option')!;
      const future = plan.book.instruments.find((i) => i.type !== 'option')!;
      for (const inst of [option, future]) {
        const table = buildInstrumentTable(
          plan.market,
          { instruments: [inst], accounts: [], portfolios: [] },
          plan.suite.horizonDays,
        );
        const spec = instrumentSpec(table);
        expect(spec.linear).toBe(inst.type !== 'option');
        const row = plan.instruments.rowOf.get(inst.id)!;
        for (let set = 0; set < plan.sets.length; set++) {
          const n = plan.sets[set].scenarios;
          const rows = await engine.rowVectors(set, { chunk: 64 });
          const got = await engine.instrumentVectors(set, [spec], { chunk: 48 });
          const want = rows.subarray(row * n, row * n + n);
          expect(got.length).toBe(n);
          for (let s = 0; s < n; s++)
            if (!Object.is(got[s], want[s]))
              expect.fail(`${inst.id}, set ${plan.sets[set].name}, scenario ${s}: ${got[s]} vs ${want[s]}`);
        }
      }
    } finally {
      await engine.close();
    }
  });

  it("of many rows at once, in any order and with repeats, equal the plan's rows to the bit", async () => {
    const suite = parseYaml(readFileSync(bundledExample.suite, 'utf8')) as { scenarioSets: { type: string; count?: number }[] };
    for (const s of suite.scenarioSets) if (s.type === 'montecarlo') s.count = 1500;
    const plan = prepare({ market: bundledExample.market, book: bundledExample.book, suite });
    const engine = createEngine(plan, { workers: 2 });
    try {
      const nRows = plan.instruments.nLinear + plan.instruments.nOptions;
      // Options and linear rows interleaved, backwards, one row twice: each lands in its own place.
      const wanted = [...Array.from({ length: nRows }, (_, r) => nRows - 1 - r), 0];
      for (let set = 0; set < plan.sets.length; set++) {
        const n = plan.sets[set].scenarios;
        const rows = await engine.rowVectors(set);
        const got = await engine.instrumentVectors(
          set,
          wanted.map((r) => rowSpec(plan.instruments, r)),
          { chunk: 40 },
        );
        expect(got.length).toBe(wanted.length * n);
        wanted.forEach((r, j) => {
          for (let s = 0; s < n; s++)
            if (!Object.is(got[j * n + s], rows[r * n + s])) expect.fail(`set ${plan.sets[set].name}, row ${r}, scenario ${s}`);
        });
      }
    } finally {
      await engine.close();
    }
  });
});
