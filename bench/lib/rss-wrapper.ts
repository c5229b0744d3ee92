// Fallback peak-RSS probe when GNU time is not installed (macOS, Alpine, Windows runners): runs
// the CLI's main in this very process and, as the process exits, prints its peak resident set
// size (all threads, workers included) on stderr. Usage: node dist/bench/lib/rss-wrapper.js run ...
import { pathToFileURL } from 'node:url';
import { fromRoot } from '../../src/paths.js';

import { RSS_MARKER } from './rss-marker.js';

const cli = fromRoot('dist', 'src', 'cli', 'main.js');
process.on('exit', () => {
  process.stderr.write(`\n${RSS_MARKER}${process.resourceUsage().maxRSS}\n`);
});
process.argv = [process.argv[0], cli, ...process.argv.slice(2)];
await import(pathToFileURL(cli).href);
