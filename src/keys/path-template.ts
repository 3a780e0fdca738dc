/**
 * Path templates: a BIP-32 path with at most one `{index}` segment (`m/44'/60'/0'/0/{index}`),
 * as `deriveAccount` and the seed signers take them.
 * @module
 * @internal
 */
import { assertInteger } from '../core/assert.js'
import { InvalidPathError } from '../core/errors.js'
import { HARDENED_OFFSET, parsePath, parseSegment } from './path.js'

/** The placeholder a template's index fills. */
export const PLACEHOLDER = '{index}'

/** A path template split around its `{index}` segment. */
export interface Template {
  prefix: number[]
  /** Segment texts from the placeholder on; empty for a literal path. */
  rest: string[]
  literal: boolean
}

export function parseTemplate(template: string): Template {
  const count = template.split(PLACEHOLDER).length - 1
  if (count > 1) throw new InvalidPathError(`Path template "${template.slice(0, 100)}" has more than one ${PLACEHOLDER}.`)
  if (count === 0) return { prefix: parsePath(template), rest: [], literal: true }
  const segments = template.split('/')
  const at = segments.findIndex((s) => s.includes(PLACEHOLDER))
  const probe = template.replace(PLACEHOLDER, '0')
  parsePath(probe) // validates the whole shape once
  if (!/^\{index\}['hH]?$/.test(segments[at] as string)) {
    throw new InvalidPathError(`In path template "${template.slice(0, 100)}", ${PLACEHOLDER} must fill a whole segment.`)
  }
  return { prefix: parsePath(segments.slice(0, at).join('/')), rest: segments.slice(at), literal: false }
}

export function indicesFor(template: Template, path: string, index: number): number[] {
  return template.rest.map((s, i) => parseSegment(s.replace(PLACEHOLDER, String(index)), path, template.prefix.length + i + 1))
}

/**
 * The full indices of the one account `template` and an `index` option name, with
 * `deriveAccount`'s rules: a literal path takes no index; a template's index is 0 to 2^31 − 1
 * (default 0). @throws InvalidPathError, InvalidArgumentError
 */
export function oneAccountIndices(template: string, index: unknown): number[] {
  const parsed = parseTemplate(template)
  if (parsed.literal) {
    if (index !== undefined)
      throw new InvalidPathError(`Path has no ${PLACEHOLDER} placeholder, so index does not apply; put the index in the path.`)
    return parsed.prefix
  }
  const at = assertInteger(index ?? 0, 'index', 0, HARDENED_OFFSET - 1)
  return [...parsed.prefix, ...indicesFor(parsed, template, at)]
}
