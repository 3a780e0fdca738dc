/** Hostile values, and a check that a call fed them in any argument throws only CofferErrors. */
import { CofferError } from 'coffer'

/** Values a careless or malicious caller might pass anywhere. */
export const HOSTILE: readonly unknown[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  NaN,
  10n,
  -1n,
  '',
  'x',
  '0x',
  'a'.repeat(10_000),
  {},
  [],
  [1],
  Symbol('s'),
  () => 1,
  new Uint8Array(33),
  Object.create(null),
]

/** Calls `fn` with each hostile value in each argument position (others as given); fails on any non-CofferError. */
export async function expectOnlyCofferErrors(name: string, fn: (...args: any[]) => unknown, args: readonly unknown[]): Promise<void> {
  for (let position = 0; position < args.length; position++) {
    for (const bad of HOSTILE) {
      const callArgs = [...args]
      callArgs[position] = bad
      try {
        await fn(...callArgs)
      } catch (error) {
        if (!(error instanceof CofferError)) throw new Error(`${name} arg ${position} (${typeof bad}) threw ${String(error)}`)
      }
    }
  }
}
