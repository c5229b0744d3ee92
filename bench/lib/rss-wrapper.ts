// Fallback peak-RSS probe when GNU time is not installed (macOS, Alpine, Windows runners): runs
// the CLI's main in this very process and, as the process exits, prints its peak resident set
// size (all threads, workers included) on stderr. Usage: node dist/bench/lib/rss-wrapper.js CLI run ...
// where CLI is the path of the xmargin executable to run (this build's, or another's to compare).
import { pathToFileURL } from 'node:url';

import { RSS_MARKER } from './rss-marker.js';

const cli = process.argv[2];
process.on('exit', () => {
  process.stderr.write(`\n${RSS_MARKER}${process.resourceUsage().maxRSS}\n`);
});
process.argv = [process.argv[0], cli, ...process.argv.slice(3)];
await import(pathToFileURL(cli).href);
