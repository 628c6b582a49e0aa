/**
 * Every command's `--format` list, with no renderer behind it: the command tree (`cli/commands/`)
 * reads these to build its options without loading a view.
 */
export const VALIDATE_FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type ValidateFormat = (typeof VALIDATE_FORMATS)[number];

/** The report formats over the findings model (`findings-view.ts`). */
export const FINDINGS_FORMATS = ['sarif', 'github', 'junit', 'prometheus'] as const;
export type FindingsFormat = (typeof FINDINGS_FORMATS)[number];

/** The plan as a document: the terminal, a PR comment, a script. */
export const DOCUMENT_FORMATS = ['text', 'json', 'markdown'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

export const PLAN_FORMATS = [...DOCUMENT_FORMATS, ...FINDINGS_FORMATS] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];
/** `show` renders a saved plan: a test report or metrics of a plan made earlier would mislead. */
export const SHOW_FORMATS = ['text', 'json', 'markdown', 'sarif', 'github'] as const satisfies readonly PlanFormat[];
export type ShowFormat = (typeof SHOW_FORMATS)[number];

export const APPLY_FORMATS = ['text', 'json'] as const;
export type ApplyFormat = (typeof APPLY_FORMATS)[number];

export const EXPLAIN_FORMATS = ['text', 'json'] as const;
export type ExplainFormat = (typeof EXPLAIN_FORMATS)[number];

/** `export`: manifests as YAML or JSON, or an emulator seed. */
export const EXPORT_FORMATS = ['yaml', 'json', 'seed'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** `emulator`: how it says where it listens. */
export const EMULATOR_FORMATS = ['text', 'json'] as const;
export type EmulatorFormat = (typeof EMULATOR_FORMATS)[number];
