// The progress bar goes to stderr, and only when stderr is a terminal. util-linux `script` gives
// the CLI a pseudo-terminal, as a user's shell would; stdout stays pure data even then.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, fixture, root, xmarginInProcess } from '../helpers/cli.js';

const ex = (f: string) => fixture('contract-example', f);
const args = ['run', '--market', ex('market.json'), '--book', ex('book.json'), '--suite', ex('suite.json'), '--json'];

describe('progress', () => {
  it('draws a bar on a terminal, in stderr only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xm-tty-'));
    const out = join(dir, 'stdout.json');
    const typescript = join(dir, 'tty.txt');
    const cmd = [process.execPath, cliPath, ...args].map((a) => `'${a}'`).join(' ') + ` > '${out}'`;
    const r = spawnSync('script', ['-qec', cmd, typescript], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    const screen = readFileSync(typescript, 'utf8');
    expect(screen).toMatch(/scenarios .* 100% \| 54\/54/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.portfolios).toHaveLength(2);
  });

  // The executable with a pipe for stderr: test/contract-example.test.ts.
  it('prints nothing to stderr when it is not a terminal', async () => {
    const r = await xmarginInProcess(args);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
