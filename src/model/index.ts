// The model: validated input types, loading and validation of the three input files and of
// historical price CSVs.

export * from './types.js';
export { readDocument, readTextFile, parseJsonText, parseYamlText, isYamlFile } from './read.js';
export {
  loadMarket,
  loadBook,
  loadSuite,
  loadInputs,
  parseMarket,
  parseBook,
  parseSuite,
  checkPriceFiles,
  type InputFiles,
  type PricesOptions,
} from './load.js';
export { loadPriceTable, parsePriceTable } from './prices.js';
export { isIsoDate } from './dates.js';
export { checkCorrelation, SYMMETRY_TOLERANCE } from './validate.js';
export {
  marketSchema,
  bookSchema,
  suiteSchema,
  scenarioSetSchema,
  instrumentSchema,
  type MarketDoc,
  type BookDoc,
  type SuiteDoc,
  type MarketDocInput,
  type BookDocInput,
  type SuiteDocInput,
} from './schema.js';
