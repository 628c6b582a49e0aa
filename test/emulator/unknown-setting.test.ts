/**
 * The other half of test/core/new-setting.test.ts: a row added to the settings table but not to the
 * emulator's own statement of the server's rules (src/emulator/setting-rules.ts). TypeScript refuses
 * that (`satisfies Record<SettingKey, FieldRule>`); at run time the emulator refuses to start rather
 * than guess what the server accepts, and a PUT body reader built without the rule ignores the
 * field, as pydantic ignores fields a model does not have.
 */
import { describe, expect, it, vi } from 'vitest';
import type { SettingSpec } from '../../src/core/settings.js';

const ROW: SettingSpec = {
  key: 'test_setting',
  kind: 'integer',
  title: 'Test setting',
  description: 'A setting that exists only in this test.',
  minimum: 5,
  maximum: 50,
  default: 7,
};

vi.mock('../../src/core/settings.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/core/settings.js')>();
  return { ...real, SETTINGS: [...real.SETTINGS, ROW] };
});

const { SETTINGS } = await import('../../src/core/settings.js');
const { buildModel } = await import('../../src/emulator/model.js');
const { readPutBody } = await import('../../src/emulator/put-body.js');

describe('a setting of the table without a rule in the emulator', () => {
  it('is in the table this file runs with', () => {
    expect(SETTINGS.map((s) => s.key)).toContain('test_setting');
  });

  it('stops the emulator from starting, naming the file the rule belongs in', () => {
    expect(() => buildModel({ users: [], datastores: [{ id: 1, name: 'Orders' }] })).toThrow(
      'setting test_setting has no rule in src/emulator/setting-rules.ts',
    );
  });

  it('is ignored in a PUT body (the known settings are still read)', () => {
    expect(readPutBody({ kind: 'json', value: { test_setting: 51, high_count_rollup_threshold: 20 } }, 'partial')).toStrictEqual({
      ok: true,
      value: { settings: { high_count_rollup_threshold: 20 } },
    });
  });
});
