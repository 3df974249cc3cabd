/** A syntax tree without its `position` fields, to compare trees parsed from different texts. */
export function withoutPositions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPositions);
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (key !== 'position') result[key] = withoutPositions(field);
  }
  return result;
}
