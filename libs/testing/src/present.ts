/**
 * Narrows a value a test relies on to non-null, failing the test with a message naming it when
 * it is missing (instead of a `!` that turns a missing value into a TypeError further on).
 */
export function present<T>(value: T, what = 'value'): NonNullable<T> {
  if (value === undefined || value === null) throw new Error(`expected ${what} to be present, got ${String(value)}`);
  return value;
}
