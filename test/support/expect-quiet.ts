// The one fixed wait tests may use: asserting that something does NOT happen. Absence has no event
// to await, so the only evidence is a window in which it could have happened and did not. Prefer a
// condition when one exists (a counter of checks the code under test made, a later message the
// stream orders after it); use this only when nothing observable marks "it had its chance".

/**
 * Waits `ms` and then asserts `unchanged()` still holds, naming `what` in the failure. `ms` should
 * span several periods of the timer that would cause the unwanted thing, so a regression shows up
 * on most runs; a pass is evidence of absence, not proof, and a fast machine never makes it flaky.
 */
export async function expectQuietFor(ms: number, what: string, unchanged: () => boolean): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  if (!unchanged()) throw new Error(`expected ${what} for ${ms} ms, but it did not hold`);
}
