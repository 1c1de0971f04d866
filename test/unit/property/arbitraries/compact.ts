/** Drops keys whose value is undefined, so generated objects look like decoded JSON (optional fields absent). */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
