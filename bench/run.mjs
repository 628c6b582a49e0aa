// `npm run bench`: every benchmark in turn, each printing its own figures.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

for (const bench of ['validate.mjs', 'plan-apply.mjs', 'rules.mjs', 'timings.mjs']) {
  console.log(`\n== bench/${bench}`);
  const result = spawnSync(process.execPath, [fileURLToPath(new URL(bench, import.meta.url))], { stdio: 'inherit' });
  if (result.status !== 0) process.exitCode = 1;
}
