import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSeedFile } from '../../src/emulator/seed-file.js';
import { loadManifests } from '../../src/manifest/load.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLES = [
  { path: 'examples/small-team', datastores: 4 },
  { path: 'examples/environments/dev', datastores: 2 },
  { path: 'examples/environments/staging', datastores: 1 },
  { path: 'examples/environments/prod', datastores: 4 },
  { path: 'examples/unlink', datastores: 2 },
];

describe('examples', () => {
  it.each(EXAMPLES)('$path validates clean', ({ path, datastores }) => {
    const load = loadManifests([path], repo);
    expect(load.diagnostics.filter((d) => d.severity !== 'note')).toStrictEqual([]);
    expect(load.state?.datastores.length).toBe(datastores);
  });

  it('the seed matches every datastore the examples name', () => {
    const seed = loadSeedFile('examples/emulator/seed.yaml', repo);
    expect(seed.diagnostics).toStrictEqual([]);
    const names = new Set(seed.seed?.datastores.map((d) => d.name));
    const ids = new Set(seed.seed?.datastores.map((d) => d.id));
    for (const { path } of EXAMPLES) {
      for (const ds of loadManifests([path], repo).state?.datastores ?? []) {
        const known = (ref: string | number): boolean => (typeof ref === 'number' ? ids.has(ref) : names.has(ref));
        expect(known(ds.ref), `${path}: ${String(ds.ref)}`).toBe(true);
        if (ds.link.kind === 'ref') expect(known(ds.link.ref), `${path}: ${String(ds.link.ref)}`).toBe(true);
      }
    }
  });

  it('the seed is refused as a manifest with one clear error', () => {
    const load = loadManifests(['examples/emulator/seed.yaml'], repo);
    expect(load.diagnostics.map((d) => [d.severity, d.code, d.message])).toStrictEqual([
      ['error', 'not-a-manifest', 'this looks like an emulator seed file (it has `users`), not a manifest'],
    ]);
  });
});
