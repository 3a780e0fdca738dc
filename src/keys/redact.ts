/**
 * How objects that hold secrets print: `[redacted]` under `JSON.stringify`,
 * `util.inspect` / `console.log`, `String()` and template literals.
 * @module
 * @internal
 */

/** What a secret prints as. */
export const REDACTED = '[redacted]'

/** Node's `util.inspect.custom` symbol, reached without importing `node:util`. */
export const INSPECT = Symbol.for('nodejs.util.inspect.custom')

/**
 * Gives `target` non-enumerable `toJSON`, `toString` and inspect hooks that show only
 * `publicView()` plus `[redacted]` markers. Returns `target` frozen.
 */
export function redacted<T extends object>(target: T, label: string, publicView: () => Record<string, unknown>): Readonly<T> {
  const text = () => `${label} ${JSON.stringify(publicView())}`
  Object.defineProperties(target, {
    toJSON: { value: publicView, enumerable: false },
    toString: { value: text, enumerable: false },
    [INSPECT]: { value: text, enumerable: false },
  })
  return Object.freeze(target)
}
