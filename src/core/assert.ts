/**
 * Tiny boundary checks in the style of @noble: check a value, return it typed, or throw
 * an {@link InvalidArgumentError} that says what was expected and what came
 * ("expected 32 bytes, got 31"). They describe the value's type and size, never its contents,
 * so they are safe to use on secrets.
 * @module
 * @internal
 */
import { InvalidArgumentError } from './errors.js'

/** A short, secret-free description of a value's type, for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`
  return typeof value
}

/** A value for an error message: a string quoted and cut to `max` characters, anything else by its type (never its contents). */
export function shown(value: unknown, max = 100): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, max)) : describe(value)
}

/** Returns `value` if it is a Uint8Array whose length is one of `lengths` (any length if none given). */
export function assertBytes(value: unknown, name: string, ...lengths: number[]): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new InvalidArgumentError(`${name} must be a Uint8Array, got ${describe(value)}.`)
  }
  if (lengths.length > 0 && !lengths.includes(value.length)) {
    throw new InvalidArgumentError(`${name} must be ${lengths.join(' or ')} bytes, got ${value.length}.`, {
      details: { expected: lengths.join(' | '), got: value.length },
    })
  }
  return value
}

/** True when `value` is a safe integer in `[min, max]` (the predicate twin of {@link assertInteger}, for callers that throw their own error). */
export function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max
}

/** Returns `value` if it is an integer in `[min, max]`. */
export function assertInteger(value: unknown, name: string, min: number, max: number): number {
  if (!isIntegerIn(value, min, max)) {
    throw new InvalidArgumentError(
      `${name} must be an integer from ${min} to ${max}, got ${typeof value === 'number' ? value : describe(value)}.`,
    )
  }
  return value
}

/** Returns `value` if it is one of `allowed`. */
export function assertOneOf<const T extends string | number>(value: unknown, name: string, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    const got = typeof value === 'string' || typeof value === 'number' ? JSON.stringify(value) : describe(value)
    throw new InvalidArgumentError(`${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${got}.`)
  }
  return value as T
}

/** Returns `value` (an options bag) if it is undefined or a plain object; `{}` for undefined. */
export function assertOptions<T extends object>(value: T | undefined, name = 'options'): Partial<T> {
  if (value === undefined) return {}
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(`${name} must be an object, got ${describe(value)}.`)
  }
  return value
}

/** Returns `value` if it is a string of at most `maxLength` characters. */
export function assertString(value: unknown, name: string, maxLength = 10_000): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(`${name} must be a string, got ${describe(value)}.`)
  if (value.length > maxLength) {
    throw new InvalidArgumentError(`${name} is too long: ${value.length} characters, at most ${maxLength}.`)
  }
  return value
}
