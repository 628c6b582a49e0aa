/**
 * The one table of managed enrichment settings. The `Settings` type and every type built on it (the
 * API's datastore and PUT body, the plan's state, the emulator's seed), the manifest, seed and plan
 * schemas, the diff, the renderers, export, the client's response checks and the emulator's model
 * and views all read it, so a fifth setting (there are four; the link to an enrichment datastore is
 * not one of them) is one more row here, plus its row in the emulator's own statement of the
 * server's rules (`emulator/setting-rules.ts`, which the compiler asks for), then `npm run schemas`.
 * ARCHITECTURE.md ("Sources of truth") lists exactly what else a new kind of setting would take.
 *
 * `key` is the API's own field name (manifests use it too, so nothing needs translating).
 */
import { normalisePrefix, PREFIX_MAX_LENGTH } from './prefix.js';
import { thousands } from './format.js';

export const REMEDIATION_STRATEGIES = ['none', 'append', 'overwrite'] as const;
export type RemediationStrategy = (typeof REMEDIATION_STRATEGIES)[number];

/** Strategies that need a linked enrichment datastore (a Scan with them and no link fails). */
export const STRATEGIES_NEEDING_LINK: readonly RemediationStrategy[] = ['append', 'overwrite'];

interface SettingBase {
  key: string;
  title: string;
  description: string;
}
export interface IntegerSetting extends SettingBase {
  kind: 'integer';
  minimum: number;
  maximum: number;
  default: number;
}
export interface EnumSetting extends SettingBase {
  kind: 'enum';
  values: readonly string[];
  default: string;
}
export interface PrefixSetting extends SettingBase {
  kind: 'prefix';
  maxLength: number;
}
export type SettingSpec = IntegerSetting | EnumSetting | PrefixSetting;

export const SETTINGS = [
  {
    key: 'enrichment_prefix',
    kind: 'prefix',
    title: 'Enrichment table prefix',
    description:
      'Prefix of the tables Qualytics writes in the enrichment datastore (<prefix>_check_metrics, ' +
      '<prefix>_failed_checks, ...). Stored normalised: snake_case with one leading underscore ' +
      `("Analytics Bronze" is stored as "_analytics_bronze"), at most ${PREFIX_MAX_LENGTH} characters once normalised. ` +
      'Changing it leaves the old tables behind.',
    maxLength: PREFIX_MAX_LENGTH,
  },
  {
    key: 'enrichment_source_record_limit',
    kind: 'integer',
    title: 'Source record limit',
    description: 'Maximum number of source records stored per anomaly as examples.',
    minimum: 1,
    maximum: 1_000_000_000,
    default: 10,
  },
  {
    key: 'enrichment_remediation_strategy',
    kind: 'enum',
    title: 'Remediation strategy',
    description:
      'How anomalous source tables are replicated to the enrichment datastore. "append" and "overwrite" ' +
      'need a linked enrichment datastore; unlinking resets the strategy to "none".',
    values: REMEDIATION_STRATEGIES,
    default: 'none',
  },
  {
    key: 'high_count_rollup_threshold',
    kind: 'integer',
    title: 'High-count rollup threshold',
    description: 'Maximum number of individual anomalies per check before they are rolled up into one.',
    minimum: 1,
    maximum: 1_000,
    default: 10,
  },
] as const satisfies readonly SettingSpec[];

export type SettingKey = (typeof SETTINGS)[number]['key'];

/** The value type a setting's kind implies: enum settings get the union of their values. */
export type SettingValue<S extends SettingSpec> = S extends { kind: 'integer' }
  ? number
  : S extends { kind: 'enum'; values: readonly (infer V)[] }
    ? V
    : string;

/** The settings as values, one field per row of the table (so the type cannot drift from it). */
export type Settings = { [S in (typeof SETTINGS)[number] as S['key']]: SettingValue<S> };

// Code that acts on the strategy (link rules, the unlink reset) relies on the table giving it this type.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const strategyTypeAgrees: Same<Settings['enrichment_remediation_strategy'], RemediationStrategy> = true;
void strategyTypeAgrees;

/**
 * Whether a value the server answered has its setting's type (integer: a safe integer; enum: one of
 * its values; prefix: a string). Ranges are the server's business: a stored value is what it is.
 */
export function hasSettingType(spec: SettingSpec, value: unknown): boolean {
  switch (spec.kind) {
    case 'integer':
      return Number.isSafeInteger(value);
    case 'enum':
      return typeof value === 'string' && spec.values.includes(value);
    case 'prefix':
      return typeof value === 'string';
    default: {
      const unreachable: never = spec;
      return unreachable;
    }
  }
}

/** Whether two values of a setting are stored identically by the server. */
export function settingEquals(key: SettingKey, a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (key === 'enrichment_prefix' && typeof a === 'string' && typeof b === 'string') {
    return normalisePrefix(a) === normalisePrefix(b);
  }
  return false;
}

/** The form the server stores a setting in (only the prefix is rewritten). */
export function canonicalSetting(key: SettingKey, value: unknown): unknown {
  return key === 'enrichment_prefix' && typeof value === 'string' ? normalisePrefix(value) : value;
}

/**
 * Why a value cannot be stored for a setting, or undefined when it can: the client's reading of the
 * server's rules (the manifest's semantic checks). The emulator states the server's rules itself
 * (`emulator/setting-rules.ts`) and never calls this.
 */
export function settingProblem(spec: SettingSpec, value: unknown): string | undefined {
  switch (spec.kind) {
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return `${spec.key} must be an integer`;
      if (value < spec.minimum || value > spec.maximum) {
        return `${spec.key} must be between ${thousands(spec.minimum)} and ${thousands(spec.maximum)}`;
      }
      return undefined;
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        return `${spec.key} must be one of ${spec.values.map((v) => `'${v}'`).join(', ')}`;
      }
      return undefined;
    case 'prefix': {
      if (typeof value !== 'string') return `${spec.key} must be a string`;
      const normalised = normalisePrefix(value);
      if (normalised === '') return `${spec.key} must contain at least one letter or digit`;
      if (normalised.length > spec.maxLength) {
        return `${spec.key} must be at most ${spec.maxLength} characters once normalised (${JSON.stringify(normalised)} has ${normalised.length})`;
      }
      return undefined;
    }
    default: {
      const unreachable: never = spec;
      return unreachable;
    }
  }
}
