/** `enrichctl emulator`'s refusals, in-process: a seed with errors starts nothing and says where a working one is. */
import { describe, expect, it } from 'vitest';
import { run, workspace } from '../helpers/cli.js';

describe('enrichctl emulator', () => {
  it('refuses a seed with errors, shown with their place, and points to a working seed an installed enrichctl can write', async () => {
    const dir = await workspace({ 'bad.yaml': 'datastores:\n  - id: 1\n    nmae: orders\n' });
    const r = await run(['emulator', '--seed', 'bad.yaml'], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^bad\.yaml:3:5: error: /m);
    expect(r.stderr.endsWith('The seed file bad.yaml was refused; fix the errors above. For a working one, see examples/emulator/seed.yaml in the enrichctl repository, ' +
      'or run `enrichctl emulator` without --seed and write its deployment with `enrichctl export --format seed`.\n')).toBe(true);
  });
});
