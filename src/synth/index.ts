// Synthetic workloads for benchmarks, tests and demos: `xmargin synth` and `synthesize()`.
export { Prng } from './prng.js';
export {
  SIZES,
  SYNTH_SIZES,
  GRID_PRICE_MOVES,
  GRID_IV_MOVES,
  EXPIRY_DAYS,
  isSynthSize,
  type SizeSpec,
  type SynthSize,
} from './spec.js';
export {
  synthesize,
  resolveSpec,
  optionCount,
  suiteScenarios,
  SYNTH_AS_OF,
  type SynthOptions,
  type SynthWorkload,
  type SynthMarket,
  type SynthBook,
  type SynthSuite,
  type SynthSet,
  type SynthInstrument,
} from './generate.js';
export { writeSynthFiles, synthTexts, suiteYaml, formatJson, SYNTH_FILES } from './write.js';
