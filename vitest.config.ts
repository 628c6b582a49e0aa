/**
 * Two projects: `src`, every test, in-process against the TypeScript sources (dist/ and src/); and
 * `bin`, the command-line tests again with each command run as the shipped file, bin/enrichctl.cjs,
 * in a process of its own (test/helpers/cli.ts): what users run is held to the same expectations.
 * `bin` takes the files that cover the commands and their options (each loads its own parts of the
 * bundle); the files that run bin/enrichctl.cjs themselves (the bundle, its code cache, stdio, lazy
 * loading, the packed tarball), and those about the transport alone (hostile servers, interrupts,
 * the network log: the same code once loaded), are in `src` only. ~35 s more for `npm test`.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: 'src', include: ['test/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'bin',
          include: [
            'test/cli/apply-full-put.test.ts',
            'test/cli/apply-trust.test.ts',
            'test/cli/apply.test.ts',
            'test/cli/drift.test.ts',
            'test/cli/emulator-command.test.ts',
            'test/cli/explain.test.ts',
            'test/cli/export-seed.test.ts',
            'test/cli/export.test.ts',
            'test/cli/help-completion.test.ts',
            'test/cli/json-outputs.test.ts',
            'test/cli/plan.test.ts',
            'test/cli/proxy.test.ts',
            'test/cli/rules.test.ts',
            'test/cli/token-echo.test.ts',
          ],
          env: { ENRICHCTL_TEST_BIN: '1' },
        },
      },
    ],
  },
});
