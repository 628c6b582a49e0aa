/** The shared rules: prefix normalisation, setting validation and equality, number formatting. */
import { describe, expect, it } from 'vitest';
import { thousands } from '../../src/core/format.js';
import { normalisePrefix } from '../../src/core/prefix.js';
import { SETTINGS, settingEquals, settingProblem } from '../../src/core/settings.js';

describe('normalisePrefix', () => {
  it.each([
    ['Analytics Bronze', '_analytics_bronze'],
    ['Healthcare Database', '_healthcare_database'],
    ['_healthcare_prod', '_healthcare_prod'],
    ['__Already__Snake__', '_already_snake'],
    ['Orders (dev) #2', '_orders_dev_2'],
    ['Café Straße', '_caf_stra_e'],
    ['  ', ''],
    ['___', ''],
    ['123', '_123'],
  ])('%j -> %j', (raw, normalised) => {
    expect(normalisePrefix(raw)).toBe(normalised);
  });
});

describe('settings', () => {
  const spec = (key: string) => SETTINGS.find((s) => s.key === key)!;
  it('says why a value cannot be stored', () => {
    expect(settingProblem(spec('enrichment_source_record_limit'), 0)).toBe('enrichment_source_record_limit must be between 1 and 1,000,000,000');
    expect(settingProblem(spec('high_count_rollup_threshold'), 1.5)).toBe('high_count_rollup_threshold must be an integer');
    expect(settingProblem(spec('enrichment_remediation_strategy'), 'Append')).toBe("enrichment_remediation_strategy must be one of 'none', 'append', 'overwrite'");
    expect(settingProblem(spec('enrichment_prefix'), '!!!')).toBe('enrichment_prefix must contain at least one letter or digit');
    expect(settingProblem(spec('enrichment_prefix'), 'x'.repeat(60))).toMatch(/^enrichment_prefix must be at most 60 characters once normalised/);
    expect(settingProblem(spec('enrichment_prefix'), 'x'.repeat(59))).toBeUndefined();
  });
  it('compares prefixes in stored form and everything else exactly', () => {
    expect(settingEquals('enrichment_prefix', 'Analytics Bronze', '_analytics_bronze')).toBe(true);
    expect(settingEquals('enrichment_prefix', '_a', '_b')).toBe(false);
    expect(settingEquals('high_count_rollup_threshold', 10, 10)).toBe(true);
    expect(settingEquals('enrichment_remediation_strategy', 'none', 'append')).toBe(false);
  });
});

describe('thousands', () => {
  it('groups digits without ICU', () => {
    expect([0, 999, 1000, 60_000, -1_234_567, 1_000_000_000, 2.5].map(thousands)).toStrictEqual(['0', '999', '1,000', '60,000', '-1,234,567', '1,000,000,000', '2.5']);
  });
});
