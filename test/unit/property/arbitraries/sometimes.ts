/** `arb` with probability `percent`, otherwise undefined (an absent optional field). Shrinks towards absent. */
import fc from "fast-check";

export function sometimes<T>(arb: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T | undefined> {
  return fc.oneof(
    { weight: 100 - percent, arbitrary: fc.constant(undefined) },
    { weight: percent, arbitrary: arb },
  );
}
