/**
 * Folder expansion and the run-wide size limit: a link out of a manifest folder is not followed
 * (one warning names it), links inside keep working, a path named explicitly is read; manifests
 * too large together are one error and nothing is planned.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../src/manifest/load.js';
import { run } from '../helpers/cli.js';

const MANIFEST = (name: string): string => `version: 1\ndatastores:\n  - datastore: ${name}\n    enrichment_prefix: _${name.toLowerCase()}\n`;

/**
 * repo/manifests/{a.yaml, sub/real.yml, inside.yaml -> .shared/c.yaml (hidden, so read only through
 * the link), outside.yaml -> ../elsewhere/x.yaml, sub/absolute.yaml -> /abs/elsewhere/y.yaml}
 */
function tree(): { root: string; manifests: string } {
  const root = mkdtempSync(join(tmpdir(), 'enrichctl-links-'));
  const manifests = join(root, 'manifests');
  mkdirSync(join(manifests, 'sub'), { recursive: true });
  mkdirSync(join(root, 'elsewhere'));
  mkdirSync(join(manifests, '.shared'));
  writeFileSync(join(manifests, '.shared', 'c.yaml'), MANIFEST('C'));
  writeFileSync(join(manifests, 'a.yaml'), MANIFEST('A'));
  writeFileSync(join(manifests, 'sub', 'real.yml'), MANIFEST('B'));
  writeFileSync(join(root, 'elsewhere', 'x.yaml'), MANIFEST('X'));
  writeFileSync(join(root, 'elsewhere', 'y.yaml'), MANIFEST('Y'));
  symlinkSync(join(manifests, '.shared', 'c.yaml'), join(manifests, 'inside.yaml'));
  symlinkSync('../elsewhere/x.yaml', join(manifests, 'outside.yaml'));
  symlinkSync(join(root, 'elsewhere', 'y.yaml'), join(manifests, 'sub', 'absolute.yaml'));
  return { root, manifests };
}

const names = (load: ReturnType<typeof loadManifests>): string[] => (load.state?.datastores ?? []).map((d) => String(d.ref));

describe('symbolic links in a manifest folder', () => {
  it('follows links inside the folder, not those leading out of it, and says so once', () => {
    const { root } = tree();
    const load = loadManifests(['manifests'], root);
    expect(load.files).toStrictEqual(['manifests/a.yaml', 'manifests/inside.yaml', 'manifests/sub/real.yml']);
    expect(load.diagnostics.map((d) => ({ severity: d.severity, file: d.file, code: d.code, message: d.message }))).toStrictEqual([
      {
        severity: 'warning',
        file: 'manifests',
        code: 'link-outside-folder',
        message: 'not read: 2 symbolic links lead outside this folder: manifests/outside.yaml, manifests/sub/absolute.yaml',
      },
    ]);
    expect(load.state).toBeDefined();
  });

  it('judges by where a link really leads, even when the folder itself is reached through a link', () => {
    const { root } = tree();
    symlinkSync(join(root, 'manifests'), join(root, 'alias'));
    const load = loadManifests(['alias'], root);
    expect(load.files).toStrictEqual(['alias/a.yaml', 'alias/inside.yaml', 'alias/sub/real.yml']);
    expect(load.diagnostics.map((d) => d.code)).toStrictEqual(['link-outside-folder']);
  });

  it('reads a link named on the command line: the user chose it', () => {
    const { root } = tree();
    const load = loadManifests(['manifests/outside.yaml'], root);
    expect(load.diagnostics).toStrictEqual([]);
    expect(load.files).toStrictEqual(['manifests/outside.yaml']);
    expect(names(load).length).toBe(1);
  });

  it('shows the warning in validate output, which still passes', async () => {
    const { root } = tree();
    const r = await run(['validate', 'manifests', '--no-color'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('manifests: warning: not read: 2 symbolic links lead outside this folder: manifests/outside.yaml, manifests/sub/absolute.yaml');
    expect(r.stdout).toContain('= name a linked file on the command line to read it anyway');
  });
});

describe('size of all manifests together', () => {
  it('refuses manifests larger than 64 MB together with one error, before reading any', () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrichctl-total-'));
    // Seven sparse 9.5 MB files: each under the per-file limit, 66.5 MB together. NUL bytes would
    // each be a binary-file error if read: their absence shows nothing was read.
    for (let i = 0; i < 7; i++) {
      const fd = openSync(join(dir, `m${i}.yaml`), 'w');
      ftruncateSync(fd, 9.5 * 1024 * 1024);
      closeSync(fd);
    }
    const load = loadManifests(['.'], dir);
    expect(load.state).toBeUndefined();
    expect(load.diagnostics.map((d) => ({ severity: d.severity, file: d.file, code: d.code, message: d.message }))).toStrictEqual([
      {
        severity: 'error',
        file: '.',
        code: 'total-too-large',
        message: 'the manifests are too large together (66.5 MB in 7 files); the limit for one run is 64 MB',
      },
    ]);
  });

  it('plans nothing: plan exits 1 before any request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrichctl-total-'));
    for (let i = 0; i < 7; i++) {
      const fd = openSync(join(dir, `m${i}.yaml`), 'w');
      ftruncateSync(fd, 9.5 * 1024 * 1024);
      closeSync(fd);
    }
    const r = await run(['plan', '.', '--no-color'], { cwd: dir, env: { QUALYTICS_URL: 'http://127.0.0.1:9/api', QUALYTICS_TOKEN: 'unused' } });
    expect(r.code).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toContain('the limit for one run is 64 MB');
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/ECONNREFUSED|connect/i);
  });
});

describe('what is not a regular file', () => {
  it.runIf(existsSync('/dev/zero') && process.platform !== 'win32')('refuses a device and a named pipe nobody writes to, at once, with one error each (a device was read without end, a pipe waited for ever)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrichctl-special-'));
    execFileSync('mkfifo', [join(dir, 'pipe.yaml')]);
    const load = loadManifests(['/dev/zero', 'pipe.yaml'], dir);
    expect(load.state).toBeUndefined();
    expect(load.diagnostics.map((d) => [d.file, d.code, d.message])).toStrictEqual([
      ['/dev/zero', 'unreadable', 'is not a regular file (a device, a pipe or a socket): give the file itself'],
      ['pipe.yaml', 'unreadable', 'is not a regular file (a device, a pipe or a socket): give the file itself'],
    ]);
    // A saved plan is read the same way: apply --plan /dev/zero is refused before any request.
    const apply = await run(['apply', '--plan', '/dev/zero'], { cwd: dir, env: { QUALYTICS_URL: 'http://127.0.0.1:9/api', QUALYTICS_TOKEN: 'x' } });
    expect({ code: apply.code, stderr: apply.stderr }).toStrictEqual({
      code: 1,
      stderr: 'error: cannot read the saved plan /dev/zero: not a regular file (a device, a pipe or a socket); create one with `enrichctl plan --out plan.json`\n',
    });
  });
});
