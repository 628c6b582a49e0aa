/**
 * Output files (`plan --out`, `export`): the temporary file is created exclusively under a random
 * name, so a file or link planted at a predictable name is never written through, and the final
 * file has the mode its content calls for.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILE_MODES, temporaryName, writeFileAtomic } from '../../src/cli/files.js';
import { writePlanFile } from '../../src/cli/saved-plan.js';
import type { Plan } from '../../src/model/plan.js';
import { run } from '../helpers/cli.js';

const fresh = (): string => mkdtempSync(join(tmpdir(), 'enrichctl-files-'));
const modeOf = (file: string): number => statSync(file).mode & 0o777;

describe('writeFileAtomic', () => {
  it('never writes through a link planted at the old predictable temporary name', async () => {
    const dir = fresh();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'untouched\n');
    symlinkSync(victim, join(dir, `.plan.json.${process.pid}.tmp`));
    writeFileSync(join(dir, `.plan.json.${process.pid}.tmp.file`), 'untouched\n');
    await writeFileAtomic(join(dir, 'plan.json'), '{"secret": 1}\n');
    expect(readFileSync(victim, 'utf8')).toBe('untouched\n');
    expect(lstatSync(join(dir, `.plan.json.${process.pid}.tmp`)).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'plan.json'), 'utf8')).toBe('{"secret": 1}\n');
  });

  it('uses a fresh random name beside the target each time, and leaves none behind', async () => {
    const dir = fresh();
    const names = new Set(Array.from({ length: 20 }, () => temporaryName(join(dir, 'plan.json'))));
    expect(names.size).toBe(20);
    for (const name of names) expect(name).toMatch(new RegExp(`^${dir}/\\.plan\\.json\\.[0-9a-f]{16}\\.tmp$`));
    await writeFileAtomic(join(dir, 'plan.json'), 'a\n');
    await writeFileAtomic(join(dir, 'plan.json'), 'b\n');
    expect(readdirSync(dir)).toStrictEqual(['plan.json']);
  });

  it('replaces a link at the target itself instead of writing through it', async () => {
    const dir = fresh();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'untouched\n');
    symlinkSync(victim, join(dir, 'out.json'));
    await writeFileAtomic(join(dir, 'out.json'), 'new\n');
    expect(readFileSync(victim, 'utf8')).toBe('untouched\n');
    expect(lstatSync(join(dir, 'out.json')).isSymbolicLink()).toBe(false);
  });

  it('gives the final file the mode asked for: 0600 by default, 0644 for shared files', async () => {
    const dir = fresh();
    await writeFileAtomic(join(dir, 'private.json'), 'x\n');
    expect(modeOf(join(dir, 'private.json'))).toBe(0o600);
    await writeFileAtomic(join(dir, 'shared.yaml'), 'x\n', { mode: FILE_MODES.shared });
    expect(modeOf(join(dir, 'shared.yaml'))).toBe(0o644);
  });

  it('a saved plan is readable by its owner only', async () => {
    const dir = fresh();
    await writePlanFile('plan.json', dir, { changes: [] } as unknown as Plan);
    expect(modeOf(join(dir, 'plan.json'))).toBe(0o600);
  });

  it('a missing folder is one clear error, and nothing is left behind', async () => {
    const dir = fresh();
    await expect(writeFileAtomic(join(dir, 'nope', 'plan.json'), 'x\n', { shown: 'nope/plan.json' })).rejects.toThrow('cannot write nope/plan.json: its directory does not exist');
    expect(existsSync(join(dir, 'nope'))).toBe(false);
  });
});

// Run as root (CI containers), the rename replaced /dev/null or the /dev/stdout link with a file.
describe('a device, a pipe or a link to one at the target', () => {
  it.runIf(process.platform !== 'win32')('is refused before any request (--out, --report) and by the writer itself, and left as it is', async () => {
    const dir = fresh();
    execFileSync('mkfifo', [join(dir, 'pipe.json')]);
    symlinkSync(join(dir, 'pipe.json'), join(dir, 'link.json'));
    const special = 'it is not a regular file (a device, a pipe or a socket), which writing a file there would replace';
    for (const [args, says] of [
      [['plan', 'm.yaml', '--out', 'pipe.json'], `error: --out pipe.json: ${special}; give a file name, e.g. --out plan.json\n`],
      [['plan', 'm.yaml', '--report', 'junit=link.json'], `error: --report junit=link.json: ${special}; give a file name, e.g. --report junit=report.junit\n`],
    ] as const) {
      const r = await run([...args], { cwd: dir, env: { QUALYTICS_URL: 'http://127.0.0.1:9/api', QUALYTICS_TOKEN: 'x' } });
      expect({ code: r.code, stderr: r.stderr }, args.join(' ')).toStrictEqual({ code: 1, stderr: says });
    }
    await expect(writeFileAtomic(join(dir, 'link.json'), 'x\n', { shown: 'link.json' })).rejects.toThrow(`cannot write link.json: ${special}`);
    expect(lstatSync(join(dir, 'pipe.json')).isFIFO()).toBe(true);
    expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readdirSync(dir).sort()).toStrictEqual(['link.json', 'pipe.json']);
  });
});
