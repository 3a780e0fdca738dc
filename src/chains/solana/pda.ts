/**
 * Program-derived addresses, computed synchronously (SHA-256 and an ed25519 curve check from
 * @noble, no WebCrypto round trip): what a balance read of a thousand owners derives a thousand
 * associated token accounts with. Checked against @solana/kit's `getProgramDerivedAddress` in
 * the tests.
 * @module
 * @internal
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { base58 } from '@scure/base'
import { InvalidArgumentError } from '../../core/errors.js'
import { ASSOCIATED_TOKEN_PROGRAM } from './programs.js'

const MARKER = new TextEncoder().encode('ProgramDerivedAddress')

/** True when 32 bytes decode to a point of the ed25519 curve (then no program can sign for them). */
function onCurve(bytes: Uint8Array): boolean {
  try {
    ed25519.ExtendedPoint.fromHex(bytes)
    return true
  } catch {
    return false
  }
}

/** Base58 to 32 bytes. @throws InvalidArgumentError */
export function addressBytes(address: string, what = 'address'): Uint8Array {
  let bytes: Uint8Array
  try {
    bytes = base58.decode(address)
  } catch {
    throw new InvalidArgumentError(`${what} is not base58.`)
  }
  if (bytes.length !== 32) throw new InvalidArgumentError(`${what} is not 32 bytes.`)
  return bytes
}

/** The program-derived address of `seeds` under `program`, with its bump (255 down to the first off-curve hash). */
export function programDerivedAddress(program: string, seeds: readonly Uint8Array[]): { address: string; bump: number } {
  const programBytes = addressBytes(program, 'program')
  if (seeds.length > 15 || seeds.some((s) => s.length > 32)) throw new InvalidArgumentError('At most 15 seeds of at most 32 bytes each.')
  const size = seeds.reduce((n, s) => n + s.length, 0) + 1 + 32 + MARKER.length
  const buffer = new Uint8Array(size)
  let offset = 0
  for (const seed of seeds) {
    buffer.set(seed, offset)
    offset += seed.length
  }
  const bumpAt = offset
  buffer.set(programBytes, bumpAt + 1)
  buffer.set(MARKER, bumpAt + 33)
  for (let bump = 255; bump >= 0; bump--) {
    buffer[bumpAt] = bump
    const hash = sha256(buffer)
    if (!onCurve(hash)) return { address: base58.encode(hash), bump }
  }
  throw new InvalidArgumentError('No bump gives an off-curve address for these seeds.')
}

/** The associated token account of `owner` for `mint` under `tokenProgram` (SPL Token or Token-2022). */
export function associatedTokenAddress(owner: string, mint: string, tokenProgram: string): string {
  return programDerivedAddress(ASSOCIATED_TOKEN_PROGRAM, [
    addressBytes(owner, 'owner'),
    addressBytes(tokenProgram, 'token program'),
    addressBytes(mint, 'mint'),
  ]).address
}
