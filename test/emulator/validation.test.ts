/**
 * The emulator states the settings' ranges itself (src/emulator/setting-rules.ts) rather than borrowing
 * the client's rule (src/core/settings.ts): this table holds the two to the same verdicts, so a
 * mistake in either shows.
 */
import { describe, expect, it } from 'vitest';
import { SETTINGS, settingProblem } from '../../src/core/settings.js';
import { buildModel } from '../../src/emulator/model.js';
import { SETTING_FIELD_RULES, type SettingField } from '../../src/emulator/setting-rules.js';
import { settingFieldErrors, settingValueProblem } from '../../src/emulator/validation.js';

const INPUTS: Record<SettingField, unknown[]> = {
  enrichment_prefix: [
    '_a', 'Analytics Bronze', '', '__', ' - ', 7, null, true, [], {},
    `_${'a'.repeat(59)}`, `_${'a'.repeat(60)}`, `${'A'.repeat(59)}`, `${'A'.repeat(60)}`, `__${'b'.repeat(59)}__`, 'é', 'x1',
  ],
  enrichment_source_record_limit: [1, 0, -1, 10, 1_000_000_000, 1_000_000_001, 10.5, 10.0, '100', null, true, Number.NaN, 2 ** 53],
  enrichment_remediation_strategy: ['none', 'append', 'overwrite', 'None', 'replace', '', null, 0, ['none']],
  high_count_rollup_threshold: [1, 0, 1_000, 1_001, 999, -5, 1.5, '10', false, null, Infinity],
};

describe("the emulator's body rules agree with core/settings.ts", () => {
  it('covers the same four settings', () => {
    expect(Object.keys(SETTING_FIELD_RULES).sort()).toStrictEqual(SETTINGS.map((s) => s.key).sort());
  });

  for (const spec of SETTINGS) {
    it(`${spec.key}: same verdict on every input`, () => {
      const verdicts = INPUTS[spec.key].map((value) => [
        value,
        settingFieldErrors(spec.key, value).length === 0,
        settingProblem(spec, value) === undefined,
      ]);
      expect(verdicts).toStrictEqual(verdicts.map(([value, , client]) => [value, client, client]));
    });
  }

  // A seed built in code is checked by the same rules (buildModel), never by core's settingProblem.
  for (const spec of SETTINGS) {
    it(`${spec.key}: a seed value is refused exactly when the client refuses it`, () => {
      const verdicts = INPUTS[spec.key].filter((value) => value !== null).map((value) => {
        let seeded = true;
        try {
          // Linked, so that append and overwrite are only judged by their value.
          buildModel({ users: [], datastores: [{ id: 1, name: 'd', enrich_datastore: 2, [spec.key]: value }, { id: 2, name: 'e', enrichment_only: true }] });
        } catch {
          seeded = false;
        }
        return [value, seeded, settingProblem(spec, value) === undefined];
      });
      expect(verdicts).toStrictEqual(verdicts.map(([value, , client]) => [value, client, client]));
    });
  }

  it("states a seed's problem in the server's words", () => {
    expect(settingValueProblem('high_count_rollup_threshold', 1001)).toBe('high_count_rollup_threshold: Input should be less than or equal to 1000');
    expect(settingValueProblem('high_count_rollup_threshold', 1000)).toBeUndefined();
    expect(() => buildModel({ users: [], datastores: [{ id: 7, name: 'd', enrichment_source_record_limit: 0 }] })).toThrow(
      'datastore 7: enrichment_source_record_limit: Input should be greater than or equal to 1',
    );
  });

  it('one error per bad value, located in the body', () => {
    expect(settingFieldErrors('high_count_rollup_threshold', 1001)).toStrictEqual([
      { type: 'less_than_equal', loc: ['body', 'high_count_rollup_threshold'], msg: 'Input should be less than or equal to 1000', input: 1001, ctx: { le: 1000 } },
    ]);
    expect(settingFieldErrors('enrichment_source_record_limit', 'x')).toStrictEqual([
      { type: 'int_type', loc: ['body', 'enrichment_source_record_limit'], msg: 'Input should be a valid integer', input: 'x' },
    ]);
  });
});
