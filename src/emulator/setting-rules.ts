/**
 * The server's rules for each enrichment setting, as the API reference's table states them: the
 * emulator's own statement, written here again rather than read from `core/settings.ts`, so that a
 * mistake in the client's reading of the rules cannot hide in the emulator that tests it
 * (test/emulator/validation.test.ts holds the two to the same verdicts on a table of inputs).
 *
 * The one exception to "a new setting is one row in core/settings.ts": it needs its row here too.
 * `satisfies Record<SettingKey, FieldRule>` makes a missing or an extra row a compile error, and
 * `buildModel` refuses to start while a setting of the table has no rule (the emulator would not
 * know what the server accepts). Defaults and field names are the table's; only the rules are ours.
 */
import type { SettingKey } from '../core/settings.js';

export type FieldRule =
  | { kind: 'integer'; ge: number; le: number }
  | { kind: 'choice'; values: readonly string[] }
  /** Stored normalised (core/prefix.ts, the shared normalisation rule); the limit is on the stored form. */
  | { kind: 'prefix'; maxLength: number };

export const SETTING_FIELD_RULES: Readonly<Record<SettingKey, FieldRule>> = {
  enrichment_prefix: { kind: 'prefix', maxLength: 60 },
  enrichment_source_record_limit: { kind: 'integer', ge: 1, le: 1_000_000_000 },
  enrichment_remediation_strategy: { kind: 'choice', values: ['none', 'append', 'overwrite'] },
  high_count_rollup_threshold: { kind: 'integer', ge: 1, le: 1_000 },
} satisfies Record<SettingKey, FieldRule>;

export type SettingField = SettingKey;

/** Whether the emulator states a rule for this field (a setting of the table without one is refused at start). */
export function isSettingField(key: string): key is SettingField {
  return Object.hasOwn(SETTING_FIELD_RULES, key);
}
