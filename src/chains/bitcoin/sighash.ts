/**
 * Which signature hash types coffer signs with when a PSBT input asks for one
 * (`PSBT_IN_SIGHASH_TYPE`): only those that commit to every output — ALL and
 * ALL|ANYONECANPAY (and DEFAULT for taproot). NONE and SINGLE let whoever holds the signature
 * redirect the outputs it does not cover, so they are refused rather than silently replaced.
 * @module
 * @internal
 */
import { InvalidArgumentError } from '../../core/errors.js'

/** BIP-341 SIGHASH_DEFAULT (taproot only: like ALL, with a 64-byte signature). */
const SIGHASH_DEFAULT = 0x00
/** SIGHASH_ALL. */
const SIGHASH_ALL = 0x01
/** SIGHASH_ALL | SIGHASH_ANYONECANPAY. */
const SIGHASH_ALL_ANYONECANPAY = 0x81

const NAMES: Readonly<Record<number, string>> = {
  0x00: 'DEFAULT',
  0x01: 'ALL',
  0x02: 'NONE',
  0x03: 'SINGLE',
  0x81: 'ALL|ANYONECANPAY',
  0x82: 'NONE|ANYONECANPAY',
  0x83: 'SINGLE|ANYONECANPAY',
}

/** A sighash type's name, e.g. `SINGLE|ANYONECANPAY`, or its hex for undefined types. */
function sighashName(type: number): string {
  return NAMES[type] ?? `0x${type.toString(16).padStart(2, '0')}`
}

/**
 * The sighash type to sign input `index` with: the one the PSBT asks for if it commits to every
 * output, else the default (ALL for ECDSA, DEFAULT for taproot).
 * @throws InvalidArgumentError for NONE, SINGLE (with or without ANYONECANPAY) and undefined types
 */
export function sighashFor(requested: number | undefined, taproot: boolean, index: number): number {
  if (requested === undefined) return taproot ? SIGHASH_DEFAULT : SIGHASH_ALL
  const allowed = taproot ? [SIGHASH_DEFAULT, SIGHASH_ALL, SIGHASH_ALL_ANYONECANPAY] : [SIGHASH_ALL, SIGHASH_ALL_ANYONECANPAY]
  if (allowed.includes(requested)) return requested
  throw new InvalidArgumentError(
    `PSBT input ${index} asks for sighash type ${sighashName(requested)}; coffer signs only types that commit to every output (${taproot ? 'DEFAULT, ' : ''}ALL, ALL|ANYONECANPAY).`,
    { details: { input: index, sighashType: requested, name: sighashName(requested) } },
  )
}
