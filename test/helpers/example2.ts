// The contract's second worked example (test/fixtures/contract-example-2, sections 7-9) as run()
// inputs, read fresh on every call so a test may change them in memory.
import { readFileSync } from 'node:fs';
import { fixture } from './cli.js';

export const example2Path = (f: string) => fixture('contract-example-2', f);
const json = (f: string) => JSON.parse(readFileSync(example2Path(f), 'utf8'));

/** Market, book and suite as shipped, and the expected report. */
export function example2() {
  const suite = json('suite.json');
  return {
    market: json('market.json'),
    book: json('book.json'),
    suite,
    baseDir: example2Path(''),
    expected: json('expected-report.json'),
  };
}
