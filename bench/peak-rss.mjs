// Preloaded (node --import) into a CLI process by lib.mjs's runCli({ peakRss: true }): writes the
// process's peak resident memory in KiB to $ENRICHCTL_BENCH_RSS_FILE as it exits, however it exits.
import { writeFileSync } from 'node:fs';

process.on('exit', () => writeFileSync(process.env.ENRICHCTL_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));
