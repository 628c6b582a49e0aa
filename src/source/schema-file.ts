/** The one way a generated schema is written to disk, shared by `npm run schemas` and the test that compares. */
export function schemaFileText(schema: object): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
