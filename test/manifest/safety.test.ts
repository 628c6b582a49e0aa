/** Hostile or broken input: each case gives one clear diagnostic, and nothing throws. */
import { chmodSync, mkdirSync, mkdtempSync, openSync, closeSync, ftruncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../src/manifest/load.js';

function dirWith(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'enrichctl-safety-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

function only(dir: string, paths: string[] = ['.']) {
  const load = loadManifests(paths, dir);
  return load.diagnostics.map((d) => ({ file: d.file, line: d.start?.line ?? null, code: d.code, message: d.message }));
}

describe('safety', () => {
  it('a file that does not exist', () => {
    expect(only(dirWith({}), ['missing.yaml'])).toStrictEqual([
      { file: 'missing.yaml', line: null, code: 'unreadable', message: 'cannot read: no such file or directory' },
    ]);
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable file', () => {
    const dir = dirWith({ 'm.yaml': 'version: 1\ndatastores: []\n' });
    chmodSync(join(dir, 'm.yaml'), 0o000);
    expect(only(dir, ['m.yaml'])).toStrictEqual([
      { file: 'm.yaml', line: null, code: 'unreadable', message: 'cannot read file: permission denied' },
    ]);
  });

  it('an empty file', () => {
    expect(only(dirWith({ 'm.yaml': '' }))).toStrictEqual([
      { file: 'm.yaml', line: null, code: 'empty-file', message: 'file is empty: no YAML content' },
    ]);
  });

  it('a directory with no manifests', () => {
    const dir = dirWith({ 'README.md': '# no yaml here\n', '.hidden/m.yaml': 'version: 1\ndatastores: []\n' });
    expect(only(dir)).toStrictEqual([
      { file: '.', line: null, code: 'no-manifests', message: 'no manifests found: the directory has no *.yaml or *.yml files' },
    ]);
  });

  it('binary garbage', () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    expect(only(dirWith({ 'm.yaml': garbage }))).toStrictEqual([
      { file: 'm.yaml', line: null, code: 'binary-file', message: 'file contains NUL bytes: it is binary, not YAML text' },
    ]);
  });

  it('invalid UTF-8 without NUL bytes', () => {
    expect(only(dirWith({ 'm.yaml': Buffer.from([0x76, 0x3a, 0x20, 0xff, 0xfe, 0x0a]) }))).toStrictEqual([
      { file: 'm.yaml', line: null, code: 'binary-file', message: 'file is not valid UTF-8 text' },
    ]);
  });

  it('a 50 MB file is refused before it is read', () => {
    const dir = dirWith({});
    const fd = openSync(join(dir, 'big.yaml'), 'w');
    ftruncateSync(fd, 50 * 1024 * 1024);
    closeSync(fd);
    expect(only(dir)).toStrictEqual([
      { file: 'big.yaml', line: null, code: 'file-too-large', message: 'file is too large (50 MB); the limit is 10 MB' },
    ]);
  });

  it('deep nesting in flow style', () => {
    const text = `version: 1\ndatastores: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`;
    const result = only(dirWith({ 'm.yaml': text }));
    expect(result).toHaveLength(1);
    expect(result[0]?.code).toBe('yaml-too-deep');
  });

  it('deep nesting just past the bound', () => {
    const text = `version: 1\ndatastores: ${'['.repeat(70)}${']'.repeat(70)}\n`;
    expect(only(dirWith({ 'm.yaml': text }))).toStrictEqual([
      { file: 'm.yaml', line: 2, code: 'yaml-too-deep', message: 'nesting is too deep (more than 64 levels)' },
    ]);
  });

  it('a YAML bomb (billion laughs)', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${prev}`).join(',')}]`);
    }
    const result = only(dirWith({ 'm.yaml': `${levels.join('\n')}\n` }));
    expect(result).toStrictEqual([
      {
        file: 'm.yaml',
        line: 2,
        code: 'yaml-alias-limit',
        message: 'aliases expand to too much data (more than 10,000 nodes): refused as a possible YAML bomb',
      },
    ]);
  });

  it('anchors and aliases within the bound are fine', () => {
    const entries = Array.from({ length: 50 }, (_, i) => `  - {datastore: S${i}, enrichment_datastore: *e, enrichment_prefix: _s${i}}`);
    const text = `version: 1\ndatastores:\n  - {datastore: S, enrichment_datastore: &e E, enrichment_prefix: _s}\n${entries.join('\n')}\n`;
    const load = loadManifests(['.'], dirWith({ 'm.yaml': text }));
    expect(load.diagnostics).toStrictEqual([]);
    expect(load.state?.datastores.length).toBe(51);
  });
});
