/**
 * The text of the official qualytics CLI's config file (~/.qualytics/config.yaml) read as YAML.
 * A module of its own, imported by credentials.ts only when the file exists (a plan's first request
 * does not wait for the YAML library), and importing `yaml` statically: in the bundle a package
 * imported with `import()` is a chunk whose CommonJS exports are only its default, and
 * `(await import('yaml')).parse` was undefined there, which made every config file "not valid YAML".
 */
import { parse } from 'yaml';

export interface OfficialConfig {
  url?: unknown;
  token?: unknown;
  ssl_verify?: unknown;
  timeout?: unknown;
}

export function parseOfficialConfig(path: string, text: string): OfficialConfig | { problem: string } {
  try {
    const parsed: unknown = parse(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) return { problem: `${path} is not a mapping of url, token, ssl_verify, timeout` };
    return parsed as OfficialConfig;
  } catch {
    // The parser's message may quote the file, and the file holds the token: say only where.
    return { problem: `${path} is not valid YAML; fix or remove it, or set QUALYTICS_URL and QUALYTICS_TOKEN` };
  }
}
