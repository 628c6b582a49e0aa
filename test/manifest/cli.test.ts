/** End-to-end runs of the built binary, the bundle (`npm test` builds first). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/bin.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

function run(args: string[], cwd = repo) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const STACK = /\n\s+at .+\(.+:\d+:\d+\)|node:internal/;

describe('enrichctl validate (built CLI)', () => {
  it('exits 0 on a valid example, notes allowed', () => {
    const r = run(['validate', 'examples/small-team']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('note: enrichment_prefix "Claims Warehouse" will be stored as "_claims_warehouse"');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('valid: 4 datastores in 1 file (1 note)');
  });

  it('exits 1 with every problem, and --format json prints an array', () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrichctl-cli-'));
    writeFileSync(join(dir, 'm.yaml'), 'version: 1\ndatastores:\n  - datastore: A\n    enrichment_prefx: _a\n  - datastore: A\n');
    const text = run(['validate', 'm.yaml', '--no-color'], dir);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('m.yaml:4:5: error: unknown key "enrichment_prefx"');
    expect(text.stdout).toContain('m.yaml:5:16: error: datastore "A" is declared twice; first at m.yaml:3:16');
    const json = run(['validate', '--format', 'json', 'm.yaml'], dir);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as Array<{ line: number; code: string }>;
    expect(parsed.map((d) => [d.line, d.code])).toStrictEqual([
      [4, 'unknown-key'],
      [5, 'duplicate-datastore'],
    ]);
  });

  it.each([
    ['a missing path', ['validate', 'no/such/dir']],
    ['binary garbage', ['validate', 'garbage.yaml']],
    ['a YAML bomb', ['validate', 'bomb.yaml']],
    ['an unknown --format', ['validate', '--format', 'xml', '.']],
  ])('%s: exit 1, one message, no stack trace', (_name, args) => {
    const dir = mkdtempSync(join(tmpdir(), 'enrichctl-cli-'));
    writeFileSync(join(dir, 'garbage.yaml'), Buffer.from([0, 1, 2, 3, 255, 254]));
    const levels = ['a: &a [x,x,x,x,x,x,x,x,x,x]'];
    for (let i = 1; i < 8; i++) levels.push(`${'abcdefgh'[i]}: &${'abcdefgh'[i]} [${Array(10).fill(`*${'abcdefgh'[i - 1]}`).join(',')}]`);
    writeFileSync(join(dir, 'bomb.yaml'), `${levels.join('\n')}\n`);
    const r = run(args, dir);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toMatch(STACK);
    expect((r.stdout + r.stderr).match(/error/gi)?.length ?? 0).toBeGreaterThanOrEqual(1);
  });
});
