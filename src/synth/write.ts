// Serialising a synthetic workload: market.json, book.json and suite.yaml, byte for byte the
// same for the same documents. JSON keeps one instrument, account or correlation row per line
// (an L book is ~100k positions: pretty-printing every field would triple the file).
import { resolve } from 'node:path';
import { writeFilesAtomic } from '../io/atomic.js';
import type { SynthSet, SynthSuite, SynthWorkload } from './generate.js';

export const SYNTH_FILES = { market: 'market.json', book: 'book.json', suite: 'suite.yaml' } as const;

/** JSON with containers nested deeper than `inlineDepth` on one line each. */
export function formatJson(value: unknown, inlineDepth = 2, depth = 0): string {
  if (value === null || typeof value !== 'object' || depth >= inlineDepth) return JSON.stringify(value);
  const indent = '  '.repeat(depth + 1);
  const close = '  '.repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => indent + formatJson(v, inlineDepth, depth + 1)).join(',\n')}\n${close}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${indent}${JSON.stringify(k)}: ${formatJson(v, inlineDepth, depth + 1)}`).join(',\n')}\n${close}}`;
}

const plain = /^[a-z][a-z0-9-]*$/;
/** A YAML flow value: JSON is valid YAML; simple lower-case words go unquoted. */
const yamlValue = (v: unknown): string =>
  typeof v === 'string' && plain.test(v) && v !== 'true' && v !== 'false' && v !== 'null' ? v : JSON.stringify(v);

function yamlSet(set: SynthSet): string {
  const lines = Object.entries(set).map(([k, v], i) => `${i === 0 ? '  - ' : '    '}${k}: ${yamlValue(v)}`);
  return lines.join('\n');
}

/** The suite as commented YAML (parses back to exactly `suite`). */
export function suiteYaml(suite: SynthSuite, header: string[] = []): string {
  const comments: Record<string, string> = {
    'mc-normal': 'Calibrated Monte Carlo: joint one-day log returns, multivariate normal with the market correlation.',
    'mc-t4-breakdown':
      'Fat tails and correlation breakdown: Student-t (4 dof), vols x1.5, correlations half-way to 1, iv +10 points.',
    'price-vol-grid': 'SPAN-style grid: every underlying moves together; 7 price moves x 3 iv moves = 21 scenarios.',
    'crash-ladder':
      'A crash ladder (synth --crash-ladder): every underlying at once, -0.4% to -40%, iv +10 points; not for margin.',
  };
  const out = [
    ...header.map((h) => `# ${h}`),
    `seed: ${suite.seed}`,
    `horizonDays: ${suite.horizonDays}`,
    `confidence: ${suite.confidence}`,
    `maintenanceRatio: ${suite.maintenanceRatio}`,
    'scenarioSets:',
  ];
  for (const set of suite.scenarioSets) {
    const c = comments[set.name];
    if (c) out.push(`  # ${c}`);
    out.push(yamlSet(set));
  }
  if (suite.addOns) out.push('# Add-ons of contract section 8 (synth --add-ons).', `addOns: ${JSON.stringify(suite.addOns)}`);
  if (suite.cascade)
    out.push(
      '# Liquidation cascades of contract section 9 on the crash ladder (synth --crash-ladder cascade).',
      `cascade: ${JSON.stringify(suite.cascade)}`,
    );
  return out.join('\n') + '\n';
}

/** The three file texts. */
export function synthTexts(w: SynthWorkload, header: string[] = []): { market: string; book: string; suite: string } {
  return {
    market: formatJson(w.market) + '\n',
    book: formatJson(w.book) + '\n',
    suite: suiteYaml(w.suite, header),
  };
}

/**
 * Writes market.json, book.json and suite.yaml into `dir` (created if missing): all three in full
 * into a staging folder first, then each renamed into place (writeFilesAtomic).
 */
export function writeSynthFiles(
  dir: string,
  w: SynthWorkload,
  header: string[] = [],
): { market: string; book: string; suite: string } {
  const texts = synthTexts(w, header);
  const [market, book, suite] = writeFilesAtomic(resolve(dir), [
    [SYNTH_FILES.market, texts.market],
    [SYNTH_FILES.book, texts.book],
    [SYNTH_FILES.suite, texts.suite],
  ]);
  return { market, book, suite };
}
