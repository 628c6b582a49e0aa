/**
 * The bad-manifest corpus: each case is YAML text (one or more files) and the exact diagnostics
 * expected. Written to a temp dir and loaded through the same `loadManifests` the CLI uses.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadManifests } from '../../src/manifest/load.js';

type Expected = {
  severity: 'error' | 'warning' | 'note';
  file: string;
  line: number | null;
  column: number | null;
  message: string;
  hints: string[];
};
type Case = { name: string; files: Record<string, string>; expected: Expected[] };

const CASES: Case[] = [
  {
    name: "duplicate key in entry",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_prefix: _a\n    enrichment_prefix: _b\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 5,
        column: 5,
        message: "duplicate key \"enrichment_prefix\" (first at line 4, column 5)",
        hints: [],
      },
    ],
  },
  {
    name: "duplicate top-level key",
    files: { 'manifest.yaml': "version: 1\nversion: 1\ndatastores: []\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 2,
        column: 1,
        message: "duplicate key \"version\" (first at line 1, column 1)",
        hints: [],
      },
    ],
  },
  {
    name: "custom tag on scalar",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: !secret A\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 16,
        message: "YAML tags are not allowed (found !secret): write plain data",
        hints: [],
      },
    ],
  },
  {
    name: "standard tag refused",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_source_record_limit: !!int 10\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 37,
        message: "YAML tags are not allowed (found !!int): write plain data",
        hints: [],
      },
    ],
  },
  {
    name: "tag on mapping",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - !entry\n    datastore: A\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 5,
        message: "YAML tags are not allowed (found !entry): write plain data",
        hints: [],
      },
    ],
  },
  {
    name: "binary tag",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: !!binary aGVsbG8=\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 16,
        message: "YAML tags are not allowed (found !!binary): write plain data",
        hints: [],
      },
    ],
  },
  {
    name: "syntax error: bad indentation",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n   enrichment_prefix: _a\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 1,
        message: "invalid YAML: bad indentation of a sequence entry",
        hints: [],
      },
    ],
  },
  {
    name: "syntax error: unclosed flow",
    files: { 'manifest.yaml': "version: 1\ndatastores: [\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 1,
        message: "invalid YAML: unexpected end of the stream within a flow collection",
        hints: [],
      },
    ],
  },
  {
    name: "syntax error: tab indentation",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n\t- datastore: A\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 1,
        message: "invalid YAML: tab characters must not be used in indentation",
        hints: [],
      },
    ],
  },
  {
    name: "syntax error: unterminated quote",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: \"A\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 1,
        message: "invalid YAML: unexpected end of the stream within a double quoted scalar",
        hints: [],
      },
    ],
  },
  {
    name: "recursive alias",
    files: { 'manifest.yaml': "version: 1\ndatastores: &l\n  - *l\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 5,
        message: "alias *l refers to a node that contains it: recursive data is not allowed",
        hints: [],
      },
    ],
  },
  {
    name: "complex key",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - ? [a, b]\n    : 1\n    datastore: A\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 7,
        message: "keys must be plain strings, not lists or mappings",
        hints: [],
      },
    ],
  },
  {
    name: "empty file",
    files: { 'manifest.yaml': "" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: null,
        column: null,
        message: "file is empty: no YAML content",
        hints: [],
      },
    ],
  },
  {
    name: "comments only",
    files: { 'manifest.yaml': "# nothing here\n# at all\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: null,
        column: null,
        message: "file is empty: no YAML content",
        hints: [],
      },
    ],
  },
  {
    name: "only a document marker",
    files: { 'manifest.yaml': "---\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: null,
        column: null,
        message: "file is empty: no YAML content",
        hints: [],
      },
    ],
  },
  {
    name: "undefined alias",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: *nope\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 16,
        message: "invalid YAML: unidentified alias \"nope\"",
        hints: [],
      },
    ],
  },
  {
    name: "document is a list",
    files: { 'manifest.yaml': "- datastore: A\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 1,
        column: 1,
        message: "the document must be a mapping, got a list",
        hints: [],
      },
    ],
  },
  {
    name: "document is a scalar",
    files: { 'manifest.yaml': "hello\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 1,
        column: 1,
        message: "the document must be a mapping, got \"hello\" (a string)",
        hints: [],
      },
    ],
  },
  {
    name: "missing version",
    files: { 'manifest.yaml': "datastores:\n  - datastore: A\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 1,
        column: 1,
        message: "missing required key \"version\"",
        hints: [],
      },
    ],
  },
  {
    name: "missing datastores",
    files: { 'manifest.yaml': "version: 1\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 1,
        column: 1,
        message: "missing required key \"datastores\" (or \"rules\")",
        hints: ["a manifest declares datastores one by one (`datastores`), by rules (`rules`), or both"],
      },
    ],
  },
  {
    name: "wrong version",
    files: { 'manifest.yaml': "version: 2\ndatastores: []\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 1,
        column: 10,
        message: "version must be 1, got 2",
        hints: [],
      },
    ],
  },
  {
    name: "version as string",
    files: { 'manifest.yaml': "version: '1'\ndatastores: []\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 1,
        column: 10,
        message: "version must be an integer, got \"1\" (a string)",
        hints: ["write 1 without quotes to make it a number"],
      },
    ],
  },
  {
    name: "unknown top-level key with suggestion",
    files: { 'manifest.yaml': "version: 1\ndatastore:\n  - datastore: A\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 2,
        column: 1,
        message: "unknown key \"datastore\"",
        hints: ["did you mean \"datastores\"?"],
      },
    ],
  },
  {
    name: "unknown top-level key without suggestion",
    files: { 'manifest.yaml': "version: 1\nowner: data-platform\ndatastores: []\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 2,
        column: 1,
        message: "unknown key \"owner\"",
        hints: ["allowed keys: version, defaults, datastores, rules"],
      },
    ],
  },
  {
    name: "datastores is a mapping",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  datastore: A\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 3,
        message: "datastores must be a list, got a mapping",
        hints: ['start each item of the list with "- " (a dash and a space)'],
      },
    ],
  },
  {
    name: "datastores entry is a string",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - Healthcare Database\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 5,
        message: "datastores[0] must be a mapping, got \"Healthcare Database\" (a string)",
        hints: [],
      },
    ],
  },
  {
    name: "entry missing datastore",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - enrichment_prefix: _a\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 5,
        message: "missing required key \"datastore\" in datastores[0]",
        hints: [],
      },
    ],
  },
  {
    name: "entry misspelt datastore",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastor: A\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 5,
        message: "unknown key \"datastor\"",
        hints: ["did you mean \"datastore\"?"],
      },
    ],
  },
  {
    name: "unknown key in entry with suggestion",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_prefx: _a\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 5,
        message: "unknown key \"enrichment_prefx\"",
        hints: ["did you mean \"enrichment_prefix\"?"],
      },
    ],
  },
  {
    name: "unknown key in entry without suggestion",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    owner: me\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 5,
        message: "unknown key \"owner\"",
        hints: ["allowed keys: datastore, enrichment_datastore, enrichment_prefix, enrichment_source_record_limit, enrichment_remediation_strategy, high_count_rollup_threshold"],
      },
    ],
  },
  {
    name: "transposed letters",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_perfix: _a\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 5,
        message: "unknown key \"enrichment_perfix\"",
        hints: ["did you mean \"enrichment_prefix\"?"],
      },
    ],
  },
  {
    name: "merge key refused",
    files: { 'manifest.yaml': "version: 1\nx: &s {enrichment_prefix: _a}\ndatastores:\n  - datastore: A\n    <<: *s\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 2,
        column: 1,
        message: "unknown key \"x\"",
        hints: ["allowed keys: version, defaults, datastores, rules"],
      },
      {
        severity: "error",
        file: "manifest.yaml",
        line: 5,
        column: 5,
        message: "unknown key \"<<\"",
        hints: ["YAML merge keys are not supported: repeat the keys, or use `defaults`"],
      },
    ],
  },
  {
    name: "defaults is a list",
    files: { 'manifest.yaml': "version: 1\ndefaults: []\ndatastores: []\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 2,
        column: 11,
        message: "defaults must be a mapping, got a list",
        hints: [],
      },
    ],
  },
  {
    name: "unknown key in defaults",
    files: { 'manifest.yaml': "version: 1\ndefaults:\n  enrichment_source_record_limt: 5\ndatastores: []\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 3,
        message: "unknown key \"enrichment_source_record_limt\"",
        hints: ["did you mean \"enrichment_source_record_limit\"?"],
      },
    ],
  },
  {
    name: "link in defaults refused",
    files: { 'manifest.yaml': "version: 1\ndefaults:\n  enrichment_datastore: E\ndatastores: []\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 3,
        message: "unknown key \"enrichment_datastore\"",
        hints: ["allowed keys: enrichment_prefix, enrichment_source_record_limit, enrichment_remediation_strategy, high_count_rollup_threshold"],
      },
    ],
  },
  {
    name: "datastore empty name",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: ''\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 16,
        message: "datastore must not be empty",
        hints: [],
      },
    ],
  },
  {
    name: "datastore is zero",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: 0\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 16,
        message: "datastore must be at least 1, got 0",
        hints: [],
      },
    ],
  },
  {
    name: "datastore is a float",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: 4.5\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 16,
        message: "datastore must be a string or an integer, got 4.5",
        hints: [],
      },
    ],
  },
  {
    name: "datastore is true",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: true\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 16,
        message: "datastore must be a string or an integer, got true",
        hints: [],
      },
    ],
  },
  {
    name: "datastore is a list",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: [A]\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 16,
        message: "datastore must be a string or an integer, got a list",
        hints: [],
      },
    ],
  },
  {
    name: "datastore is null",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore:\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 15,
        message: "datastore must be a string or an integer, got null",
        hints: [],
      },
    ],
  },
  {
    name: "enrichment datastore is a mapping",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_datastore: {name: E}\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 27,
        message: "enrichment_datastore must be a string, an integer or null, got a mapping",
        hints: [],
      },
    ],
  },
  {
    name: "enrichment datastore is empty string",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_datastore: ''\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 27,
        message: "enrichment_datastore must not be empty",
        hints: [],
      },
    ],
  },
  {
    name: "enrichment datastore is negative",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_datastore: -3\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 27,
        message: "enrichment_datastore must be at least 1, got -3",
        hints: [],
      },
    ],
  },
  {
    name: "record limit zero",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_source_record_limit: 0\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 37,
        message: "enrichment_source_record_limit must be between 1 and 1,000,000,000, got 0",
        hints: [],
      },
    ],
  },
  {
    name: "record limit too large",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_source_record_limit: 1000000001\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 37,
        message: "enrichment_source_record_limit must be between 1 and 1,000,000,000, got 1,000,000,001",
        hints: [],
      },
    ],
  },
  {
    name: "record limit quoted",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_source_record_limit: '100'\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 37,
        message: "enrichment_source_record_limit must be an integer, got \"100\" (a string)",
        hints: ["write 100 without quotes to make it a number"],
      },
    ],
  },
  {
    name: "record limit float",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_source_record_limit: 10.5\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 37,
        message: "enrichment_source_record_limit must be an integer, got 10.5",
        hints: [],
      },
    ],
  },
  {
    name: "record limit with underscores is a string",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_source_record_limit: 1_000\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 37,
        message: "enrichment_source_record_limit must be an integer, got \"1_000\" (a string)",
        hints: [],
      },
    ],
  },
  {
    name: "threshold too large",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    high_count_rollup_threshold: 1001\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 34,
        message: "high_count_rollup_threshold must be between 1 and 1,000, got 1,001",
        hints: [],
      },
    ],
  },
  {
    name: "threshold negative",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    high_count_rollup_threshold: -1\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 34,
        message: "high_count_rollup_threshold must be between 1 and 1,000, got -1",
        hints: [],
      },
    ],
  },
  {
    name: "threshold is null",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    high_count_rollup_threshold: null\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 34,
        message: "high_count_rollup_threshold must be an integer, got null",
        hints: [],
      },
    ],
  },
  {
    name: "strategy misspelt",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_remediation_strategy: apend\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 38,
        message: "enrichment_remediation_strategy must be one of \"none\", \"append\", \"overwrite\", got \"apend\"",
        hints: ["did you mean \"append\"?"],
      },
    ],
  },
  {
    name: "strategy wrong case",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_remediation_strategy: Append\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 38,
        message: "enrichment_remediation_strategy must be one of \"none\", \"append\", \"overwrite\", got \"Append\"",
        hints: ["did you mean \"append\"?"],
      },
    ],
  },
  {
    name: "strategy is a number",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_remediation_strategy: 1\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 38,
        message: "enrichment_remediation_strategy must be a string, got 1",
        hints: [],
      },
    ],
  },
  {
    name: "strategy unrelated word",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_remediation_strategy: replicate\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 38,
        message: "enrichment_remediation_strategy must be one of \"none\", \"append\", \"overwrite\", got \"replicate\"",
        hints: [],
      },
    ],
  },
  {
    name: "prefix is a number",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_prefix: 42\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 24,
        message: "enrichment_prefix must be a string, got 42",
        hints: [],
      },
    ],
  },
  {
    name: "prefix is a list",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_prefix: [a]\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 24,
        message: "enrichment_prefix must be a string, got a list",
        hints: [],
      },
    ],
  },
  {
    name: "defaults threshold out of range",
    files: { 'manifest.yaml': "version: 1\ndefaults:\n  high_count_rollup_threshold: 0\ndatastores: []\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 32,
        message: "high_count_rollup_threshold must be between 1 and 1,000, got 0",
        hints: [],
      },
    ],
  },
  {
    name: "several errors in one entry",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_source_record_limit: 0\n    high_count_rollup_threshold: 5000\n    enrichment_remediation_strategy: always\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 37,
        message: "enrichment_source_record_limit must be between 1 and 1,000,000,000, got 0",
        hints: [],
      },
      {
        severity: "error",
        file: "manifest.yaml",
        line: 5,
        column: 34,
        message: "high_count_rollup_threshold must be between 1 and 1,000, got 5,000",
        hints: [],
      },
      {
        severity: "error",
        file: "manifest.yaml",
        line: 6,
        column: 38,
        message: "enrichment_remediation_strategy must be one of \"none\", \"append\", \"overwrite\", got \"always\"",
        hints: [],
      },
    ],
  },
  {
    name: "errors in several entries",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_prefx: _a\n  - datastore: B\n    high_count_rollup_threshold: 0\n  - enrichment_prefix: _c\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 5,
        message: "unknown key \"enrichment_prefx\"",
        hints: ["did you mean \"enrichment_prefix\"?"],
      },
      {
        severity: "error",
        file: "manifest.yaml",
        line: 6,
        column: 34,
        message: "high_count_rollup_threshold must be between 1 and 1,000, got 0",
        hints: [],
      },
      {
        severity: "error",
        file: "manifest.yaml",
        line: 7,
        column: 5,
        message: "missing required key \"datastore\" in datastores[2]",
        hints: [],
      },
    ],
  },
  {
    name: "flow style entry errors",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - {datastore: A, enrichment_source_record_limit: 0}\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 52,
        message: "enrichment_source_record_limit must be between 1 and 1,000,000,000, got 0",
        hints: [],
      },
    ],
  },
  {
    name: "duplicate datastore by name",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n  - datastore: B\n  - datastore: A\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 5,
        column: 16,
        message: "datastore \"A\" is declared twice; first at manifest.yaml:3:16",
        hints: ["declare each datastore once: merge the two entries"],
      },
    ],
  },
  {
    name: "duplicate datastore by id",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: 7\n  - datastore: 7\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 16,
        message: "datastore id 7 is declared twice; first at manifest.yaml:3:16",
        hints: ["declare each datastore once: merge the two entries"],
      },
    ],
  },
  {
    name: "duplicate datastore across documents",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n---\nversion: 1\ndatastores:\n  - datastore: A\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 7,
        column: 16,
        message: "datastore \"A\" is declared twice; first at manifest.yaml:3:16",
        hints: ["declare each datastore once: merge the two entries"],
      },
    ],
  },
  {
    name: "duplicate datastore across files",
    files: {
      "a.yaml": "version: 1\ndatastores:\n  - datastore: A\n",
      "b.yaml": "version: 1\ndatastores:\n  - datastore: B\n  - datastore: A\n",
    },
    expected: [
      {
        severity: "error",
        file: "b.yaml",
        line: 4,
        column: 16,
        message: "datastore \"A\" is declared twice; first at a.yaml:3:16",
        hints: ["declare each datastore once: merge the two entries"],
      },
    ],
  },
  {
    name: "duplicate reported even when the first entry is invalid",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_source_record_limit: 0\n  - datastore: A\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 37,
        message: "enrichment_source_record_limit must be between 1 and 1,000,000,000, got 0",
        hints: [],
      },
      {
        severity: "error",
        file: "manifest.yaml",
        line: 5,
        column: 16,
        message: "datastore \"A\" is declared twice; first at manifest.yaml:3:16",
        hints: ["declare each datastore once: merge the two entries"],
      },
    ],
  },
  {
    name: "self link by id",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: 5\n    enrichment_datastore: 5\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 27,
        message: "datastore id 5 cannot be its own enrichment datastore",
        hints: [],
      },
    ],
  },
  {
    name: "append with null link",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_datastore: null\n    enrichment_remediation_strategy: append\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 5,
        column: 38,
        message: "enrichment_remediation_strategy \"append\" needs a linked enrichment datastore, but enrichment_datastore is null",
        hints: ["unlinking resets the strategy to \"none\": declare \"none\", or link an enrichment datastore"],
      },
    ],
  },
  {
    name: "overwrite with null link",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_remediation_strategy: overwrite\n    enrichment_datastore: null\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 38,
        message: "enrichment_remediation_strategy \"overwrite\" needs a linked enrichment datastore, but enrichment_datastore is null",
        hints: ["unlinking resets the strategy to \"none\": declare \"none\", or link an enrichment datastore"],
      },
    ],
  },
  {
    name: "strategy from defaults with null link",
    files: { 'manifest.yaml': "version: 1\ndefaults:\n  enrichment_remediation_strategy: append\ndatastores:\n  - datastore: A\n    enrichment_datastore: null\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 6,
        column: 27,
        message: "enrichment_datastore is null, but defaults sets enrichment_remediation_strategy to \"append\", which needs a link",
        hints: ["add `enrichment_remediation_strategy: none` to this entry"],
      },
    ],
  },
  {
    name: "empty link value",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_datastore:\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 26,
        message: "enrichment_datastore has no value",
        hints: ["write `enrichment_datastore: null` to declare no link, or remove the key to leave the link unmanaged"],
      },
    ],
  },
  {
    name: "prefix normalises to empty",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_prefix: '___'\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 24,
        message: "enrichment_prefix must contain at least one letter or digit",
        hints: [],
      },
    ],
  },
  {
    name: "prefix empty string",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_prefix: ''\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 24,
        message: "enrichment_prefix must contain at least one letter or digit",
        hints: [],
      },
    ],
  },
  {
    name: "prefix too long",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_prefix: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 24,
        message: "enrichment_prefix must be at most 60 characters once normalised (\"_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" has 62)",
        hints: [],
      },
    ],
  },
  {
    name: "prefix in defaults too long",
    files: { 'manifest.yaml': "version: 1\ndefaults:\n  enrichment_prefix: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\ndatastores: []\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 22,
        message: "enrichment_prefix must be at most 60 characters once normalised (\"_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\" has 71)",
        hints: [],
      },
    ],
  },
  {
    name: "prefix un-normalised is a note, with an error elsewhere",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_prefix: Analytics Bronze\n  - datastore: A\n" },
    expected: [
      {
        severity: "note",
        file: "manifest.yaml",
        line: 4,
        column: 24,
        message: "enrichment_prefix \"Analytics Bronze\" will be stored as \"_analytics_bronze\"",
        hints: [],
      },
      {
        severity: "error",
        file: "manifest.yaml",
        line: 5,
        column: 16,
        message: "datastore \"A\" is declared twice; first at manifest.yaml:3:16",
        hints: ["declare each datastore once: merge the two entries"],
      },
    ],
  },
  {
    name: "prefix note and duplicate error together",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_datastore: E\n    enrichment_prefix: _x\n  - datastore: B\n    enrichment_datastore: E\n    enrichment_prefix: X\n  - datastore: B\n" },
    expected: [
      {
        severity: "note",
        file: "manifest.yaml",
        line: 8,
        column: 24,
        message: "enrichment_prefix \"X\" will be stored as \"_x\"",
        hints: [],
      },
      {
        severity: "error",
        file: "manifest.yaml",
        line: 9,
        column: 16,
        message: "datastore \"B\" is declared twice; first at manifest.yaml:6:16",
        hints: ["declare each datastore once: merge the two entries"],
      },
    ],
  },
  {
    name: "only a seed file in the folder: skipped with a note, and no manifest left",
    files: { 'manifest.yaml': "users:\n  - {name: A, role: Admin, token: t}\ndatastores:\n  - {id: 1, name: X}\n" },
    expected: [
      {
        severity: "note",
        file: "manifest.yaml",
        line: null,
        column: null,
        message: "skipped: an emulator seed file (it has `users`), not a manifest",
        hints: [],
      },
      {
        severity: "error",
        file: ".",
        line: null,
        column: null,
        message: "no manifests found: every YAML file here was skipped as not a manifest",
        hints: [],
      },
    ],
  },
  {
    name: "only a CI pipeline in the folder",
    files: { 'pipeline.yml': "on: [push]\njobs:\n  plan: {runs-on: ubuntu-latest}\n" },
    expected: [
      {
        severity: "note",
        file: "pipeline.yml",
        line: null,
        column: null,
        message: "skipped: it has neither `version` nor `datastores`, not a manifest",
        hints: [],
      },
      {
        severity: "error",
        file: ".",
        line: null,
        column: null,
        message: "no manifests found: every YAML file here was skipped as not a manifest",
        hints: [],
      },
    ],
  },
  {
    name: "binary garbage",
    files: { 'manifest.yaml': "\u0000\u0001\u0002garbage" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: null,
        column: null,
        message: "file contains NUL bytes: it is binary, not YAML text",
        hints: [],
      },
    ],
  },
  {
    name: "datastore id above 2^53 - 1 (would round to another datastore)",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: 9007199254740993\n    enrichment_prefix: _a\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 3,
        column: 16,
        message: "9007199254740993 is too large to be read exactly (integers are exact up to 9,007,199,254,740,991, 2^53 - 1): it would be read as 9007199254740992",
        hints: ["check the number: no datastore id or setting is this large"],
      },
    ],
  },
  {
    name: "enrichment datastore id far above 2^53 - 1",
    files: { 'manifest.yaml': "version: 1\ndatastores:\n  - datastore: A\n    enrichment_datastore: 12345678901234567890\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 27,
        message: "12345678901234567890 is too large to be read exactly (integers are exact up to 9,007,199,254,740,991, 2^53 - 1): it would be read as 12345678901234567000",
        hints: ["check the number: no datastore id or setting is this large"],
      },
    ],
  },
  {
    name: "unsafe integers in flow style, in defaults and below -(2^53 - 1)",
    files: { 'manifest.yaml': "version: 1\ndefaults: {enrichment_source_record_limit: 99999999999999999999}\ndatastores:\n  - {datastore: 42, enrichment_datastore: -9007199254740993}\n" },
    expected: [
      {
        severity: "error",
        file: "manifest.yaml",
        line: 2,
        column: 44,
        message: "99999999999999999999 is too large to be read exactly (integers are exact up to 9,007,199,254,740,991, 2^53 - 1): it would be read as 100000000000000000000",
        hints: ["check the number: no datastore id or setting is this large"],
      },
      {
        severity: "error",
        file: "manifest.yaml",
        line: 4,
        column: 43,
        message: "-9007199254740993 is too small to be read exactly (integers are exact down to -9,007,199,254,740,991, -(2^53 - 1)): it would be read as -9007199254740992",
        hints: ["check the number: no datastore id or setting is this large"],
      },
    ],
  },
  {
    name: "rules: empty match",
    files: { 'manifest.yaml': "version: 1\nrules:\n  - match: {}\n    high_count_rollup_threshold: 5\n" },
    expected: [
      {
        "severity": "error",
        "file": "manifest.yaml",
        "line": 3,
        "column": 12,
        "message": "match must not be empty",
        "hints": [
          "give at least one of: name, tag, type"
        ]
      }
    ],
  },
  {
    name: "rules: unknown criterion",
    files: { 'manifest.yaml': "version: 1\nrules:\n  - match:\n      colour: red\n    high_count_rollup_threshold: 5\n" },
    expected: [
      {
        "severity": "error",
        "file": "manifest.yaml",
        "line": 4,
        "column": 7,
        "message": "unknown key \"colour\"",
        "hints": [
          "allowed keys: name, tag, type"
        ]
      }
    ],
  },
  {
    name: "rules: unknown rule key",
    files: { 'manifest.yaml': "version: 1\nrules:\n  - match:\n      tag: pii\n    enrichment_prefx: _pii\n" },
    expected: [
      {
        "severity": "error",
        "file": "manifest.yaml",
        "line": 5,
        "column": 5,
        "message": "unknown key \"enrichment_prefx\"",
        "hints": [
          "did you mean \"enrichment_prefix\"?"
        ]
      }
    ],
  },
  {
    name: "rules: bad glob",
    files: { 'manifest.yaml': "version: 1\nrules:\n  - match:\n      name: [\"Sales *\", \"Sales [EU]\"]\n    high_count_rollup_threshold: 5\n" },
    expected: [
      {
        "severity": "error",
        "file": "manifest.yaml",
        "line": 4,
        "column": 25,
        "message": "name glob \"Sales [EU]\" uses \"[\": only * and ? are special in a glob, and [ ] { } \\ are refused",
        "hints": [
          "to match several patterns, give a list: `name: [\"Sales *\", \"Marketing *\"]`"
        ]
      }
    ],
  },
  {
    name: "rules: empty glob",
    files: { 'manifest.yaml': "version: 1\nrules:\n  - match:\n      name: \"\"\n    high_count_rollup_threshold: 5\n" },
    expected: [
      {
        "severity": "error",
        "file": "manifest.yaml",
        "line": 4,
        "column": 13,
        "message": "name must not be empty",
        "hints": []
      }
    ],
  },
  {
    name: "rules: empty glob list",
    files: { 'manifest.yaml': "version: 1\nrules:\n  - match:\n      name: []\n    high_count_rollup_threshold: 5\n" },
    expected: [
      {
        "severity": "error",
        "file": "manifest.yaml",
        "line": 4,
        "column": 13,
        "message": "name must have at least 1 item",
        "hints": []
      }
    ],
  },
  {
    name: "rules: unknown placeholder",
    files: { 'manifest.yaml': "version: 1\nrules:\n  - match:\n      tag: pii\n    enrichment_prefix: \"pii {foo}\"\n" },
    expected: [
      {
        "severity": "error",
        "file": "manifest.yaml",
        "line": 5,
        "column": 24,
        "message": "enrichment_prefix \"pii {foo}\" uses the unknown placeholder {foo}",
        "hints": [
          "the placeholders are {name} and {id}"
        ]
      }
    ],
  },
  {
    name: "rules: lone brace",
    files: { 'manifest.yaml': "version: 1\nrules:\n  - match:\n      tag: pii\n    enrichment_prefix: \"pii {name\"\n" },
    expected: [
      {
        "severity": "error",
        "file": "manifest.yaml",
        "line": 5,
        "column": 24,
        "message": "enrichment_prefix \"pii {name\" has a lone \"{\"",
        "hints": [
          "the placeholders are {name} and {id}"
        ]
      }
    ],
  },
  {
    name: "rules: missing match",
    files: { 'manifest.yaml': "version: 1\nrules:\n  - enrichment_source_record_limit: 5\n" },
    expected: [
      {
        "severity": "error",
        "file": "manifest.yaml",
        "line": 3,
        "column": 5,
        "message": "missing required key \"match\" in rules[0]",
        "hints": []
      }
    ],
  },
  {
    name: "rules: rule strategy",
    files: { 'manifest.yaml': "version: 1\nrules:\n  - match:\n      type: snowflake\n    enrichment_datastore: null\n    enrichment_remediation_strategy: append\n" },
    expected: [
      {
        "severity": "error",
        "file": "manifest.yaml",
        "line": 6,
        "column": 38,
        "message": "enrichment_remediation_strategy \"append\" needs a linked enrichment datastore, but this rule's enrichment_datastore is null",
        "hints": [
          "unlinking resets the strategy to \"none\": declare \"none\", or link an enrichment datastore"
        ]
      }
    ],
  },
  {
    name: "rules: rule prefix long",
    files: { 'manifest.yaml': "version: 1\nrules:\n  - match:\n      tag: pii\n    enrichment_prefix: \"{name} aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n" },
    expected: [
      {
        "severity": "error",
        "file": "manifest.yaml",
        "line": 5,
        "column": 24,
        "message": "enrichment_prefix must be at most 60 characters once normalised, and \"{name} aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" has 66 without its placeholders",
        "hints": []
      }
    ],
  },
];

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('bad manifests', () => {
  it('has at least 60 cases, each with at least one error', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    for (const c of CASES) expect(c.expected.some((d) => d.severity === 'error'), c.name).toBe(true);
  });

  it.each(CASES)('$name', ({ files, expected }) => {
    const dir = mkdtempSync(join(tmpdir(), 'enrichctl-corpus-'));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const load = loadManifests(['.'], dir);
    const actual = load.diagnostics.map((d) => ({
      severity: d.severity,
      file: d.file,
      line: d.start?.line ?? null,
      column: d.start?.column ?? null,
      message: d.message,
      hints: d.hints ?? [],
    }));
    expect(actual).toStrictEqual(expected);
    expect(load.state).toBeUndefined();
  });
});
