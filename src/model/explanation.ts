/**
 * Why a datastore's desired values are what they are (`enrichctl explain`): per managed field, every
 * value the manifests give it, in precedence order, which one wins, and the live value beside it.
 * Display only: nothing plans or applies from it. Built by `plan/explain.ts`, shown by
 * `render/views/explain-view.ts`; the JSON document is this value (`schemas/explain.schema.json`).
 */
import type { SettingKey } from '../core/settings.js';
import type { DeclaredRef, OriginKind } from './desired.js';
import type { DatastoreRef } from './plan.js';

/** The fields as a manifest names them: the link first, then the settings table's order. */
export type ExplainField = 'enrichment_datastore' | SettingKey;

/**
 * A link as a manifest writes it (`name` or `id`, both when the live link shows it is that datastore),
 * or null (no link). A setting's value is the stored form (prefix templates expanded and normalised).
 */
export type LinkValue = { name: string; id?: number } | { id: number; name?: string } | null;
export type FieldValue = string | number | LinkValue;

/**
 * How a candidate fared:
 * | role          | meaning                                                                  |
 * |---------------|--------------------------------------------------------------------------|
 * | `winner`      | its value is the desired value                                           |
 * | `agrees`      | same precedence and value as the winner (the first of equals is named)   |
 * | `overridden`  | a candidate of higher precedence set the field                           |
 * | `conflicting` | rules (or two documents' defaults) disagree here: plan refuses           |
 */
export type CandidateRole = 'winner' | 'agrees' | 'overridden' | 'conflicting';

export interface Candidate {
  from: OriginKind;
  /** Where the value is written (for a rule's or an entry's key: that key). */
  file: string;
  line: number;
  column: number;
  /** For `rule`: where its `match:` is, what "rule at" names elsewhere. */
  rule_at?: { file: string; line: number; column: number };
  value: FieldValue;
  role: CandidateRole;
}

export type FieldStatus = 'managed' | 'conflict' | 'not-managed';

export interface FieldExplanation {
  field: ExplainField;
  status: FieldStatus;
  /** The winner's value; present only when `managed`. */
  desired?: FieldValue;
  /** Why plan refuses the winning value although nothing conflicts (a link to the datastore itself). */
  refused?: string;
  /** In precedence order: the entry, then the rules in manifest order, then `defaults`. */
  candidates: Candidate[];
  /** What the API shows now (the link as id and name); absent when the API did not show it. */
  live?: string | number | DatastoreRef | null;
}

/** Where an entry or rule is written. */
export interface Place {
  file: string;
  line: number;
  column: number;
}

export type MatchCriterion = 'name' | 'tag' | 'type';

export interface Explanation {
  datastore: DatastoreRef & { type?: string; tags?: string[] };
  /** The entries that declare it (`datastore:` keys); more than one is an error plan reports. */
  entries: Place[];
  /** The rules that match it (`match:` keys), in manifest order. */
  rules: Place[];
  /** The rules that do not, each with the criteria it fails on. */
  rules_not_matching: Array<Place & { failed: MatchCriterion[] }>;
  fields: FieldExplanation[];
}

/** Why there is nothing to explain: the datastore is not there, or nothing declares it. */
export type ExplainRefusal =
  | { kind: 'not-found'; ref: DeclaredRef }
  | { kind: 'ambiguous'; ref: string; ids: number[] }
  | { kind: 'enrichment-only'; datastore: DatastoreRef }
  | { kind: 'denied'; ref: DeclaredRef; detail: string }
  | { kind: 'not-declared'; datastore: DatastoreRef; rules_not_matching: Explanation['rules_not_matching'] };

export type ExplainResult = { ok: true; explanation: Explanation } | { ok: false; refusal: ExplainRefusal };
