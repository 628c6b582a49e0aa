/**
 * The plan as a value: what `plan` shows, what `--out` saves, what `apply` executes.
 *
 * A `Change` per declared datastore, after Terraform's plans.Change:
 *
 *   action   | before                 | after                         | operations
 *   ---------|------------------------|-------------------------------|---------------------------
 *   no-op    | the observed state     | equal to before               | []
 *   update   | the observed state     | the state once applied        | 1..3, in OPERATION_ORDER
 *
 * `before` is exactly what was observed, so a saved plan doubles as the staleness check: apply
 * re-reads each datastore and refuses the plan if a field is at neither `before` nor `after`
 * (`stale.ts`). It is also the observation `apply --plan` recomputes the plan from (`verify.ts`).
 */
import type { SettingsPatch } from '../core/api-types.js';
import type { Settings } from '../core/settings.js';
import type { OriginKind } from './desired.js';

export interface DatastoreRef {
  id: number;
  name: string;
}

/**
 * The managed values of one source datastore: its link and every setting of the table. The prefix is
 * in its stored (normalised) form.
 */
export type EnrichmentState = { enrich_datastore: DatastoreRef | null } & Settings;

/**
 * What one write changes, not how it is sent: the HTTP method and path of each come from the route
 * table (`routes.ts`), which the client, the renderers and the saved-plan check all read.
 */
export type Operation =
  /** Creates or switches the link in one call (never an unlink first: that resets the strategy and needs Admin). */
  | { type: 'link'; enrich_datastore: DatastoreRef }
  /** Sets only the settings that differ. */
  | { type: 'update_settings'; body: SettingsPatch }
  /** Removes the link; the server also resets the remediation strategy to `none`, which `after` already shows. */
  | { type: 'unlink' };

export type OperationType = Operation['type'];

/**
 * Order inside one datastore: link first, so that `append`/`overwrite` are only ever sent while a
 * link exists; settings next; unlink last, after any PUT (which would otherwise be refused when it
 * carries a strategy that needs the link). Datastores are independent of one another.
 */
export const OPERATION_ORDER: readonly OperationType[] = ['link', 'update_settings', 'unlink'];

/** Operations in OPERATION_ORDER: how the planner emits them. */
export function inOperationOrder(operations: readonly Operation[]): Operation[] {
  return [...operations].sort((a, b) => OPERATION_ORDER.indexOf(a.type) - OPERATION_ORDER.indexOf(b.type));
}

export type Action = 'no-op' | 'update';

/** Where a datastore was declared. Display only: never used for decisions during apply. */
export interface DeclaredAt {
  file: string;
  line: number;
  column: number;
}

/** A range in a manifest: where a field's value is declared. Display only, like `DeclaredAt`. */
export interface DeclaredSpan extends DeclaredAt {
  end_line: number;
  end_column: number;
  /** What set the value there: an entry, a rule, or `defaults`. Absent in plans saved before rules existed (read: entry). */
  from?: OriginKind;
}

export interface Change {
  datastore: DatastoreRef;
  action: Action;
  before: EnrichmentState;
  after: EnrichmentState;
  /** The fields of `after` that differ from `before`, in table order (display and summaries). */
  changed_fields: Array<keyof EnrichmentState>;
  operations: Operation[];
  declared_at: DeclaredAt;
  /**
   * Display only (SARIF, annotations, "not managed" in plans): where the manifests set each field they
   * manage (the entry's key, or the `defaults` key it came from). A field absent here is not managed
   * by the manifests; a changed one (a strategy an unlink resets) belongs to the entry, `declared_at`.
   * Absent when the entry manages nothing but names the datastore.
   */
  locations?: Partial<Record<keyof EnrichmentState, DeclaredSpan>>;
  /**
   * What rules match on, as observed (present when the manifests have rules). Part of the recorded
   * observation, like `before`: apply --plan recomputes the rules' expansion from it.
   */
  matched_on?: MatchedOn;
}

/** A datastore's type and tags, as the API listed them (`details` of the observation). */
export interface MatchedOn {
  type?: string;
  tags?: string[];
}

export interface PlanSummary {
  /** Datastores whose plan links or switches a link. */
  link: number;
  unlink: number;
  /** Datastores whose settings change (a PUT). */
  update: number;
  unchanged: number;
}

export interface Plan {
  format_version: 1;
  base_url: string;
  /** sha256 over the manifests' paths and contents; apply --plan refuses the plan if they changed. */
  manifest_digest: string;
  /** The manifest paths as given to plan, relative to where plan ran. */
  manifest_paths: string[];
  /**
   * The `--target` selection the plan was made with, as given; absent when everything declared was
   * planned. apply --plan recomputes the plan from the manifests with the same selection.
   */
  targets?: string[];
  changes: Change[];
  summary: PlanSummary;
  /** With `plan --report-unmanaged`: configured datastores no manifest declares. Display only; apply ignores it. */
  unmanaged?: UnmanagedDatastore[];
  /** What reviewers should know (a prefix change leaves tables behind, an unlink the token may not make...). Display only. */
  warnings?: PlanWarning[];
}

/** A live datastore with a link or non-default settings that no manifest declares (`plan --report-unmanaged`). */
export interface UnmanagedDatastore {
  datastore: DatastoreRef;
  state: EnrichmentState;
  /** The fields that differ from what a datastore of that name has by default. */
  non_default: Array<keyof EnrichmentState>;
}

export interface PlanWarning {
  message: string;
  /** The diagnostic's code (`prefix-change`, `unlink-needs-admin`...), for machine-readable reports. */
  code?: string;
  /** Where in the manifests, when it concerns a declaration. */
  file?: string;
  line?: number;
  column?: number;
}
