// The exported document types (MarketDocument, BookDocument, SuiteDocument) describe the files
// as docs/inputs.md writes them: a fixture of such documents type-checks, its deliberate
// mistakes do not, and the same documents pass the library's validation at run time.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepare, type SuiteDocument } from '../../src/index.js';
import { book, fullMarket, market, suite } from '../fixtures/types/documents.js';
import { root } from '../helpers/cli.js';

describe('input document types', () => {
  it('type-check documents written from docs/inputs.md, and catch the mistakes marked in them', () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'test', 'fixtures', 'types', 'tsconfig.json')], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 120_000);

  it('are documents the library accepts as they are', () => {
    // The historical set names a CSV that is not there: everything else is validated and resolved.
    const sets = suite.scenarioSets.filter((s) => s.type !== 'historical');
    const plan = prepare({ market, book, suite: { ...suite, scenarioSets: sets } });
    expect(plan.market.currency).toBe('USD');
    expect(plan.suite.scenarioSets.map((s) => s.name)).toEqual(['mc', 'mc-t', 'mc-m', 'grid', 'crash']);
    expect(plan.book.accounts[0].collateral).toEqual([{ asset: 'USD', amount: 1_000_000, haircut: 0 }]);
    const shock = { scenarioSets: [{ name: 's', type: 'shocks', shocks: [{ moves: { SPI: -0.1 } }] }] } satisfies SuiteDocument;
    const alone = prepare({
      market: fullMarket,
      book: { instruments: [], accounts: [{ id: 'x', collateral: 1, positions: [] }] },
      suite: shock,
    });
    expect([alone.market.currency, alone.market.daysPerYear, alone.suite.confidence]).toEqual(['CHF', 252, 0.99]);
  });
});
