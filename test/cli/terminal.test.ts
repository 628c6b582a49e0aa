/** What only a terminal gets: colour (never with NO_COLOR or --no-color) and progress on stderr. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/program.js';
import type { Io } from '../../src/cli/io.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { manifest, workspace } from '../helpers/cli.js';
import { ADMIN_TOKEN, world } from './world.js';

let em: RunningEmulator;
beforeEach(async () => {
  em = await startEmulator({ seed: world() });
});
afterEach(async () => {
  await em.close();
});

async function onTerminal(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
  const cwd = await workspace({ 'm.yaml': manifest('  - datastore: Orders\n    enrichment_datastore: Warehouse Enrichment\n') });
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: { isTTY: true, write: (s: string) => { stdout += s; return true; } },
    stderr: { isTTY: true, write: (s: string) => { stderr += s; return true; } },
    stdin: Object.assign(new PassThrough(), { isTTY: true }),
    env: { HOME: cwd, QUALYTICS_URL: em.url, QUALYTICS_TOKEN: ADMIN_TOKEN, ...env },
    cwd,
    signal: new AbortController().signal,
  };
  await runCli(argv, io);
  return { stdout, stderr };
}

const ANSI = /\u001b\[/;

describe('on a terminal', () => {
  it('colours the plan, unless NO_COLOR is set or --no-color is given', async () => {
    expect((await onTerminal(['plan', 'm.yaml'])).stdout).toMatch(ANSI);
    expect((await onTerminal(['plan', 'm.yaml'], { NO_COLOR: '1' })).stdout).not.toMatch(ANSI);
    expect((await onTerminal(['plan', 'm.yaml', '--no-color'])).stdout).not.toMatch(ANSI);
  });

  it('shows progress on stderr when reading takes more than a moment, and clears it', async () => {
    em.setFaults({ latencyMs: 600 });
    const { stdout, stderr } = await onTerminal(['plan', 'm.yaml', '--no-color']);
    expect(stderr).toMatch(/\rReading live state: \d+\/\d+ requests/);
    expect(stderr.endsWith('\r\u001b[2K')).toBe(true);
    expect(stdout).toContain('Plan: 1 datastore to change (1 link');
  });

  it('shows no progress when reading is quick', async () => {
    expect((await onTerminal(['plan', 'm.yaml', '--no-color'])).stderr).toBe('');
  });
});
