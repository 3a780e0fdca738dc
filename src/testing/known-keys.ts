/**
 * Options bags with a typo in a key are refused, not silently ignored.
 * @module
 * @internal
 */
import { InvalidArgumentError } from '../core/errors.js'

/** Refuses keys no option has (a typo would otherwise be ignored silently). */
export function assertKnownKeys(options: object, known: readonly string[], what: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const near = known.find((k) => k.toLowerCase() === key.toLowerCase())
      throw new InvalidArgumentError(
        `${what} has no option ${JSON.stringify(key)}${near ? `; did you mean ${JSON.stringify(near)}?` : ''} (options: ${known.join(', ')}).`,
      )
    }
  }
}
