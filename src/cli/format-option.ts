import { UserError } from './errors.js';

/** Checks a `--format` value against the formats a command offers. */
export function parseFormat<F extends string>(value: unknown, formats: readonly F[]): F {
  const format = value ?? formats[0];
  if (typeof format !== 'string' || !(formats as readonly string[]).includes(format)) {
    throw new UserError(`--format must be one of ${formats.join(', ')} (got ${JSON.stringify(format)})`);
  }
  return format as F;
}
