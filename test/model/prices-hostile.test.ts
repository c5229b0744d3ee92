// Price files as a hostile or careless user may name them (issue 9): any file on the machine, a
// device, a file with another separator, a link out of the folder a service allows, and one with
// a million rows.
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { loadPriceTable, parsePriceTable } from '../../src/model/prices.js';
import { prepare } from '../../src/run.js';
import { fixture, inputError, tempDir, tempFile } from './helpers.js';

const printableAscii = /^[\x20-\x7e\n]*$/;

describe('errors quote no more than a short, printable excerpt of a price file', () => {
  test('a long first line full of secrets and control characters', () => {
    const secret = 'TOKEN=' + 'x'.repeat(200) + 'the-end-of-the-secret';
    const file = tempFile('p.csv', `USER=me\u0000HOME=/root\u0001${secret},B\n1,2\n`);
    const err = inputError(() => loadPriceTable(file, 'p.csv'));
    expect(err.message).toMatch(
      /^p\.csv: line 1: expected a "date" column in the header, found "USER=me\?HOME=\/roo\.\.\.", "B"$/,
    );
    expect(err.message).not.toContain('the-end-of-the-secret');
    expect(err.message).toMatch(printableAscii);
    expect(err.message.length).toBeLessThan(160);
  });

  test('/proc/self/environ: no environment in the message', () => {
    const err = inputError(() => loadPriceTable('/proc/self/environ'));
    expect(err.message).toMatch(printableAscii);
    expect(err.message.length).toBeLessThan(200);
    for (const [k, v] of Object.entries(process.env)) {
      if (v && v.length > 40) expect(err.message, k).not.toContain(v);
    }
  });

  test('a bad cell is quoted short and printable', () => {
    const err = inputError(() => parsePriceTable(`date,A\n2026-01-01,${'9'.repeat(30)}\u0007${'z'.repeat(100)}\n`, 'p.csv'));
    expect(err.message).toMatch(printableAscii);
    expect(err.message).toContain('found "999999999999999999999999999999?zzzzzz..."');
    expect(err.message.length).toBeLessThan(200);
  });
});

describe('price files that are not regular files', () => {
  test('a device, as a price path or in a suite', () => {
    expect(inputError(() => loadPriceTable('/dev/zero', 'data/p.csv')).message).toBe(
      'data/p.csv: is not a regular file (a device, pipe or socket); expected a file',
    );
    const suite = {
      ...JSON.parse(JSON.stringify(suiteDoc)),
      scenarioSets: [{ name: 'h', type: 'historical', prices: '/dev/zero' }],
    };
    const err = inputError(() => prepare({ ...inputs(), suite, pricesRoot: '/' }));
    expect(err.message).toBe(
      '<suite>: scenarioSets[0].prices: expected a price CSV file, found something that is not a regular file (a device, pipe or socket) at /dev/zero',
    );
  });
});

describe('a header with another separator gets a hint', () => {
  test('semicolons', () => {
    expect(inputError(() => parsePriceTable('date;BTC;ETH\n2026-01-01;1;2\n', 'p.csv')).message).toBe(
      'p.csv: line 1: expected a "date" column in the header, found "date;BTC;ETH"; the header has no commas but has semicolons: a price CSV must separate its columns with commas',
    );
  });
  test('tabs', () => {
    expect(inputError(() => parsePriceTable('date\tBTC\n2026-01-01\t1\n', 'p.csv')).message).toContain(
      'the header has no commas but has tabs: a price CSV must separate its columns with commas',
    );
  });
});

// The contract example's inputs, with a historical set on its prices.
const contract = (name: string) => fileURLToPath(new URL(`../fixtures/contract-example/${name}`, import.meta.url));
const suiteDoc = {
  seed: 1,
  horizonDays: 1,
  confidence: 0.95,
  maintenanceRatio: 0.8,
  scenarioSets: [{ name: 'h', type: 'historical', prices: 'prices.csv' }],
};
const inputs = () => ({ market: contract('market.json'), book: contract('book.json') });

describe('pricesRoot confines price paths to a folder', () => {
  const root = tempDir();
  mkdirSync(path.join(root, 'data'));
  writeFileSync(path.join(root, 'data', 'prices.csv'), '');
  const outside = fixture('prices.csv');

  test('a path inside the root is read', () => {
    const dir = path.join(tempDir(), 'ok');
    mkdirSync(dir);
    const suite = { ...suiteDoc, scenarioSets: [{ name: 'h', type: 'historical', prices: contract('prices.csv') }] };
    expect(prepare({ ...inputs(), suite, pricesRoot: path.dirname(contract('prices.csv')) }).sets).toHaveLength(1);
  });

  test('a path or a link leading outside is an input error of the suite; without a root it is read', () => {
    const link = path.join(root, 'data', 'link.csv');
    symlinkSync(contract('prices.csv'), link);
    for (const prices of [contract('prices.csv'), '../../etc/passwd', 'data/link.csv']) {
      const suite = { ...suiteDoc, scenarioSets: [{ name: 'h', type: 'historical', prices }] };
      const err = inputError(() => prepare({ ...inputs(), suite, baseDir: root, pricesRoot: root }));
      expect(err.message).toMatch(/^<suite>: scenarioSets\[0\]\.prices: expected a price file inside the prices folder /);
      expect(err.message).toContain('which lies outside it');
    }
    // Without a root, the link is followed as before.
    const suite = { ...suiteDoc, scenarioSets: [{ name: 'h', type: 'historical', prices: 'data/link.csv' }] };
    expect(prepare({ ...inputs(), suite, baseDir: root }).sets).toHaveLength(1);
    void outside;
  });

  test('a suite file names itself in the error', () => {
    const dir = tempDir();
    const suiteFile = tempFile(
      'suite.json',
      JSON.stringify({ ...suiteDoc, scenarioSets: [{ ...suiteDoc.scenarioSets[0], prices: contract('prices.csv') }] }),
      dir,
    );
    const err = inputError(() => prepare({ ...inputs(), suite: suiteFile, pricesRoot: dir }));
    expect(err.message).toMatch(
      new RegExp(
        `^${suiteFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: scenarioSets\\[0\\]\\.prices: expected a price file inside`,
      ),
    );
  });

  test("a root that is no folder is refused in the library's words", () => {
    expect(() => prepare({ ...inputs(), suite: suiteDoc, pricesRoot: '/no/such/root' })).toThrow(UsageError);
    expect(() => prepare({ ...inputs(), suite: suiteDoc, pricesRoot: '/no/such/root' })).toThrow(
      'pricesRoot "/no/such/root": no such folder',
    );
  });
});

describe('a large price file is read row by row', () => {
  test('200,000 rows fit in a heap far smaller than the records the old parser kept', () => {
    const dir = tempDir();
    const file = path.join(dir, 'big.csv');
    const day0 = Date.UTC(1500, 0, 1) / 86400000;
    const rows: string[] = ['date,A,B,C'];
    for (let i = 0; i < 200_000; i++) {
      const date = new Date((day0 + i) * 86400000).toISOString().slice(0, 10);
      rows.push(`${date},${100 + (i % 13)},${50 + (i % 7)}.25,${20 + (i % 5)}`);
    }
    writeFileSync(file, rows.join('\n') + '\n');
    const script = `
      const { loadPriceTable } = await import(${JSON.stringify(new URL('../../dist/src/model/prices.js', import.meta.url).href)});
      const t = loadPriceTable(${JSON.stringify(file)});
      process.stdout.write(JSON.stringify([t.dates.length, t.dates[199999], t.prices[1][199999], t.prices[2].length]));
    `;
    // 48 MB of old space: the dates and the typed arrays fit; a parsed record per row does not.
    const r = spawnSync(process.execPath, ['--max-old-space-size=48', '--no-warnings', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([200_000, rows[200_000].slice(0, 10), 50 + (199_999 % 7) + 0.25, 200_000]);
  }, 30_000);

  test('shuffled rows come back sorted, and a repeated date is found wherever it is', () => {
    const n = 5000;
    const day0 = Date.UTC(2000, 0, 1) / 86400000;
    const dates = Array.from({ length: n }, (_, i) => new Date((day0 + i) * 86400000).toISOString().slice(0, 10));
    const order = Array.from({ length: n }, (_, i) => (i * 7919) % n); // a permutation (7919 is prime)
    const text = 'date,A\n' + order.map((i) => `${dates[i]},${i + 1}`).join('\n');
    const t = parsePriceTable(text, 'p.csv');
    expect(t.dates).toEqual(dates);
    expect(Array.from(t.prices[0])).toEqual(dates.map((_, i) => i + 1));
    const repeated = text + `\n${dates[order[10]]},1\n${dates[order[3]]},2\n`;
    expect(inputError(() => parsePriceTable(repeated, 'p.csv')).message).toBe(
      `p.csv: line ${n + 2}, column "date": expected one row per date, found ${dates[order[10]]} again (first on line 12)`,
    );
  });
});
