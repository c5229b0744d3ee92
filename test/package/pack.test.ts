// The package as a user gets it: packed from a fresh clone (no dist/, no build/), installed into
// an empty project, and run from there through the library and the executable.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledExample, run, type Report, type RunInput } from '../../src/index.js';
import { root } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'xmargin-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * The environment of the npm and node children: the caller's, without what `npm test` adds for
 * its own script (the package and lifecycle variables would describe this repository to them).
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(package|lifecycle)_|^npm_config_(local_)?prefix$|^INIT_CWD$/i.test(k)) continue;
    env[k] = v;
  }
  return env;
}

function sh(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, env: childEnv(), encoding: 'utf8', input: '', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A fresh clone of this checkout: the files git would commit (tracked, or new and not ignored). */
function freshClone(dir: string): void {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  for (const file of listed.split('\0')) {
    if (file === '' || !existsSync(join(root, file))) continue; // a tracked file deleted in the work tree
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(root, file), join(dir, file));
  }
  // `npm ci` of a clone installs these; the same ones, linked, spare the test a second install.
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
}

/** The README's TypeScript block that contains `marker`. */
function readmeBlock(marker: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes(marker));
  if (block === undefined) throw new Error(`README.md has no TypeScript block with ${marker}`);
  return block;
}

/** The same block as JavaScript: `satisfies` and the type imports dropped. */
const readmeSnippet = (marker: string): string =>
  readmeBlock(marker)
    .replace(/ satisfies \w+/g, '')
    .replace(/,\s*type \w+/g, '');

const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

/** The numbers of a report, without what may legitimately differ between two runs of one input. */
function numbers(r: Report): string {
  // As JSON, the form the report is written in (where -0 is 0).
  return JSON.stringify({ sets: r.sets, portfolios: r.portfolios, totals: r.totals });
}

describe('the packed package', () => {
  it('packs from a fresh clone, installs into an empty project and runs the library and the CLI there', async () => {
    const clone = join(work, 'clone');
    freshClone(clone);
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    expect(existsSync(join(clone, 'build'))).toBe(false);

    // `npm pack` builds (prepack) and packs what package.json's `files` lists.
    const packs = join(work, 'packs');
    mkdirSync(packs);
    sh('npm', ['pack', '--pack-destination', packs], clone);
    const [tarball] = readdirSync(packs);
    expect(tarball).toMatch(/^xmargin-.*\.tgz$/);
    const listed = sh('tar', ['-tzf', join(packs, tarball)], work)
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ''));
    for (const wanted of [
      'package.json',
      'README.md',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/cli/main.js',
      'dist/src/engine/worker.js',
      'build/xmargin.wasm',
      'scenarios/overnight.yaml',
      'examples/crypto/market.json',
      'examples/crypto/book.json',
      'docs/inputs.md',
    ]) {
      expect(listed, wanted).toContain(wanted);
    }
    expect(listed.filter((f) => /\.wat$|^dist\/bench\/|^dist\/test\/|^test\/|^src\/|^assembly\/|\.map$/.test(f))).toEqual([]);

    // An empty project installs the tarball; its dependencies come from the npm cache `npm ci` filled.
    const consumer = join(work, 'consumer');
    mkdirSync(consumer);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(packs, tarball)], consumer);

    const expected = numbers(await run({ ...bundledExample, workers: 2 }));

    // The library, imported by its package name: the bundled example lies inside the installed package.
    writeFileSync(
      join(consumer, 'library.mjs'),
      [
        "import { run, bundledExample } from 'xmargin';",
        'const report = await run({ ...bundledExample, workers: 2 });',
        'process.stdout.write(JSON.stringify({ suite: bundledExample.suite, report }));',
      ].join('\n'),
    );
    const lib = JSON.parse(sh(process.execPath, ['library.mjs'], consumer)) as { suite: string; report: Report };
    expect(lib.suite).toBe(join(consumer, 'node_modules', 'xmargin', 'scenarios', 'overnight.yaml'));
    expect(numbers(lib.report)).toEqual(expected);

    // The README's library snippets, as written (the types stripped: this is JavaScript).
    writeFileSync(join(consumer, 'readme-bundled.mjs'), readmeSnippet('...bundledExample'));
    const printed = sh(process.execPath, ['readme-bundled.mjs'], consumer).trim();
    expect(Number(printed)).toBe((JSON.parse(expected) as Report).portfolios[0].cross.initialMargin);
    writeFileSync(
      join(consumer, 'readme-documents.mjs'),
      readmeSnippet('satisfies MarketDocument') +
        '\nprocess.stdout.write(JSON.stringify({ market, book, suite, portfolios: report.portfolios }));\n',
    );
    const documents = sh(process.execPath, ['readme-documents.mjs'], consumer);
    const { portfolios, ...inputs } = JSON.parse(documents.slice(documents.indexOf('{'))) as RunInput & Report;
    const inRepo = await run({ ...inputs, baseDir: join(root, 'examples', 'data'), workers: 2 });
    expect(portfolios).toEqual(json(inRepo.portfolios));
    expect(portfolios[0].cross.initialMargin).toBeGreaterThan(0);

    // The installed types: the README's typed snippet compiles against them, and a typo does not.
    writeFileSync(
      join(consumer, 'readme.ts'),
      readmeBlock('satisfies MarketDocument') +
        "\n// @ts-expect-error a misspelt field of a set\nexport const typo = { name: 'x', type: 'montecarlo', count: 1, volMultipler: 2 } satisfies SuiteDocument['scenarioSets'][number];\n",
    );
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { noEmit: true, strict: true, target: 'es2022', module: 'nodenext', lib: ['es2022', 'dom'], types: [] },
        files: ['readme.ts'],
      }),
    );
    sh(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], consumer);

    // The executable, as npm linked it: no inputs runs the bundled example.
    sh(
      join(consumer, 'node_modules', '.bin', 'xmargin'),
      ['run', '--out', 'report', '--workers', '2', '--no-progress'],
      consumer,
    );
    const written = JSON.parse(readFileSync(join(consumer, 'report', 'report.json'), 'utf8')) as Report;
    expect(numbers(written)).toEqual(expected);
  }, 400_000);
});
