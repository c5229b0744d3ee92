// `xmargin report --from`: report.html again from a report already written, JSON or MessagePack;
// a missing or malformed report is exit 2 with the file, the path inside it and what was
// expected, and nothing is written.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from '@msgpack/msgpack';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture, xmarginInProcess } from '../helpers/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'xmargin-report-cmd-'));
/** report.json of the second contract example, as run writes it. */
let expected: string;
let report: Record<string, unknown>;

beforeAll(async () => {
  const dir = tmp();
  const ex = (f: string) => fixture('contract-example-2', f);
  const r = await xmarginInProcess([
    'run',
    ...['--market', ex('market.json'), '--book', ex('book.json'), '--suite', ex('suite.json'), '--out', dir, '--no-html'],
  ]);
  expect(r.code, r.stderr).toBe(0);
  expected = join(dir, 'report.json');
  report = JSON.parse(readFileSync(expected, 'utf8'));
});

describe('xmargin report --from', () => {
  it('renders report.html beside report.json in the folder, or into --out', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'report.json'), readFileSync(expected));
    const r = await xmarginInProcess(['report', '--from', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`wrote ${join(dir, 'report.html')}\n`);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Margin report <span class="asof">2026-11-20</span>');
    const out = join(tmp(), 'new', 'folder');
    const again = await xmarginInProcess(['report', '--from', join(dir, 'report.json'), '--out', out]);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toBe(html);
  });

  it('reads report.msgpack when the folder has no report.json', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'report.msgpack'), encode(report));
    const r = await xmarginInProcess(['report', '--from', dir]);
    expect(r.code, r.stderr).toBe(0);
    const fromJson = tmp();
    writeFileSync(join(fromJson, 'report.json'), readFileSync(expected));
    await xmarginInProcess(['report', '--from', fromJson]);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toBe(readFileSync(join(fromJson, 'report.html'), 'utf8'));
  });

  it('a missing folder, or one without a report, is exit 2 naming it; nothing is written', async () => {
    const gone = join(tmp(), 'gone');
    let r = await xmarginInProcess(['report', '--from', gone]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`xmargin: ${gone}: no such folder or file\n`);
    const empty = tmp();
    r = await xmarginInProcess(['report', '--from', empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`xmargin: ${empty}: no report here: expected report.json or report.msgpack (written by xmargin run)\n`);
    expect(existsSync(join(empty, 'report.html'))).toBe(false);
    r = await xmarginInProcess(['report']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Missing required argument: from/);
  });

  it('malformed JSON, a file that is no report, and a report missing a figure are exit 2 with where and what', async () => {
    const dir = tmp();
    const out = join(dir, 'out');
    const file = join(dir, 'report.json');
    const cases: [string, string][] = [
      ['{"asOf": "2026-11-20",\n  "portfolios": [', `xmargin: ${file}: not valid JSON at line 2, column 18: `],
      [
        '{"instruments": []}',
        `xmargin: ${file}: not an xmargin report: expected the report.json or report.msgpack that xmargin run writes\n`,
      ],
    ];
    const broken = structuredClone(report) as { portfolios: { cross: Record<string, unknown>; health: unknown }[] };
    delete broken.portfolios[1].cross.initialMargin;
    broken.portfolios[0].health = 'high';
    cases.push([
      JSON.stringify(broken),
      `xmargin: ${file}: portfolios[0].health: expected a finite number, found "high"\n` +
        `${file}: portfolios[1].cross.initialMargin: expected a finite number, but it is missing\n`,
    ]);
    for (const [text, message] of cases) {
      writeFileSync(file, text);
      const r = await xmarginInProcess(['report', '--from', dir, '--out', out]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.startsWith(message), r.stderr).toBe(true);
      expect(r.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
      expect(existsSync(join(dir, 'report.html'))).toBe(false);
    }
    writeFileSync(join(dir, 'bad.msgpack'), Buffer.from([0xc1, 0x00]));
    const r = await xmarginInProcess(['report', '--from', join(dir, 'bad.msgpack')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.msgpack: not a valid MessagePack report/);
  });

  it('an --out that cannot take report.html is refused before the report is read', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'report.json'), 'not even json');
    const file = join(dir, 'a-file');
    writeFileSync(file, 'mine\n');
    const r = await xmarginInProcess(['report', '--from', dir, '--out', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^xmargin: --out ${file}: `));
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
  });
});
