/**
 * Output descriptors (BIP-380, 381, 382, 386, 389) for single-key HD accounts:
 * `pkh(…)`, `sh(wpkh(…))`, `wpkh(…)` and `tr(…)` over `[fingerprint/path]xpub/<0;1>/*`,
 * with the BIP-380 checksum. This is how coffer names a Bitcoin account: a string that
 * wallets like Bitcoin Core, Sparrow and BDK read too.
 * @module
 */
import { describe, isIntegerIn } from '../core/assert.js'
import { InvalidArgumentError } from '../core/errors.js'
import type { BitcoinAddressType } from './address/bitcoin.js'
import { formatPath, parsePath } from './path.js'
import { HDNode } from './secp256k1.js'

const INPUT_CHARSET = '0123456789()[],\'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#"\\ '
const CHECKSUM_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'
const GENERATOR = [0xf5dee51989n, 0xa9fdca3312n, 0x1bab10e32dn, 0x3706b1677an, 0x644d626ffdn]

function polymod(symbols: number[]): bigint {
  let chk = 1n
  for (const value of symbols) {
    const top = chk >> 35n
    chk = ((chk & 0x7ffffffffn) << 5n) ^ BigInt(value)
    for (let i = 0; i < 5; i++) if ((top >> BigInt(i)) & 1n) chk ^= GENERATOR[i] as bigint
  }
  return chk
}

/** The 8-character BIP-380 checksum of a descriptor (without `#`). @throws InvalidArgumentError */
export function descriptorChecksum(descriptor: string): string {
  if (typeof descriptor !== 'string' || descriptor.length > 1000)
    throw new InvalidArgumentError(`A descriptor must be a string, got ${describe(descriptor)}.`)
  const symbols: number[] = []
  const groups: number[] = []
  for (const c of descriptor) {
    const v = INPUT_CHARSET.indexOf(c)
    if (v < 0) throw new InvalidArgumentError(`Descriptor contains a character outside the BIP-380 set: ${JSON.stringify(c)}.`)
    symbols.push(v & 31)
    groups.push(v >> 5)
    if (groups.length === 3) symbols.push((groups.shift() as number) * 9 + (groups.shift() as number) * 3 + (groups.shift() as number))
  }
  if (groups.length === 1) symbols.push(groups[0] as number)
  else if (groups.length === 2) symbols.push((groups[0] as number) * 3 + (groups[1] as number))
  const checksum = polymod([...symbols, 0, 0, 0, 0, 0, 0, 0, 0]) ^ 1n
  let out = ''
  for (let i = 0; i < 8; i++) out += CHECKSUM_CHARSET[Number((checksum >> BigInt(5 * (7 - i))) & 31n)]
  return out
}

/** A parsed single-key HD account descriptor. */
export interface AccountDescriptor {
  readonly addressType: BitcoinAddressType
  /** The account-level extended public key. */
  readonly xpub: string
  /** Key origin, when given: master fingerprint and the account's path. */
  readonly origin?: { readonly fingerprint: number; readonly path: string }
  /** Receive and change branches below the xpub (usually 0 and 1). */
  readonly branches: readonly [receive: number, change: number]
}

const WRAPPERS: [BitcoinAddressType, string, string][] = [
  ['p2sh-p2wpkh', 'sh(wpkh(', '))'],
  ['p2wpkh', 'wpkh(', ')'],
  ['p2pkh', 'pkh(', ')'],
  ['p2tr', 'tr(', ')'],
]

/**
 * Formats an account descriptor with its checksum, e.g.
 * `wpkh([73c5da0a/84h/0h/0h]xpub6C…/<0;1>/*)#abcd1234`.
 */
export function formatDescriptor(d: AccountDescriptor): string {
  if (!d || typeof d !== 'object')
    throw new InvalidArgumentError(`formatDescriptor needs { addressType, xpub, branches }, got ${describe(d)}.`)
  const branches = d.branches
  if (!Array.isArray(branches) || branches.length !== 2 || !branches.every((b) => isIntegerIn(b, 0, 2 ** 31 - 1))) {
    throw new InvalidArgumentError('branches must be two indices below 2^31, e.g. [0, 1].')
  }
  if (d.origin !== undefined && (!d.origin || typeof d.origin !== 'object' || !isIntegerIn(d.origin.fingerprint, 0, 0xffff_ffff))) {
    throw new InvalidArgumentError('origin must be { fingerprint (32-bit), path }.')
  }
  const wrapper = WRAPPERS.find(([type]) => type === d.addressType)
  if (!wrapper) throw new InvalidArgumentError(`Unknown address type ${describe(d.addressType)} for a descriptor.`)
  HDNode.fromExtendedKey(d.xpub) // validates
  const origin = d.origin
    ? `[${d.origin.fingerprint.toString(16).padStart(8, '0')}${formatPath(parsePath(d.origin.path)).slice(1).replaceAll("'", 'h')}]`
    : ''
  const body = `${wrapper[1]}${origin}${d.xpub}/<${d.branches[0]};${d.branches[1]}>/*${wrapper[2]}`
  return `${body}#${descriptorChecksum(body)}`
}

const KEY = /^(?:\[([0-9a-fA-F]{8})((?:\/\d+['hH]?)*)\])?([1-9A-HJ-NP-Za-km-z]{100,120})\/(?:<(\d+);(\d+)>|(\d+))\/\*$/

/**
 * Parses an account descriptor (checksum verified when present). Accepts `'` or `h` for
 * hardened steps, and a single-branch form (`xpub/0/*`, change then also `/1/*`).
 * @throws InvalidArgumentError
 */
export function parseDescriptor(text: string): AccountDescriptor {
  if (typeof text !== 'string' || text.length > 400) throw new InvalidArgumentError(`A descriptor must be a string, got ${describe(text)}.`)
  const [body, checksum, ...rest] = text.trim().split('#')
  if (rest.length || body === undefined) throw new InvalidArgumentError('A descriptor has at most one #checksum.')
  if (checksum !== undefined && descriptorChecksum(body) !== checksum)
    throw new InvalidArgumentError('The descriptor checksum does not match: a character is wrong.')
  const wrapper = WRAPPERS.find(([, open, close]) => body.startsWith(open) && body.endsWith(close))
  if (!wrapper) throw new InvalidArgumentError('Only pkh(), sh(wpkh()), wpkh() and tr() single-key descriptors are supported.')
  const key = KEY.exec(body.slice(wrapper[1].length, body.length - wrapper[2].length))
  if (!key) throw new InvalidArgumentError('The descriptor key must look like [fingerprint/path]xpub…/<0;1>/*.')
  const [, fp, path, xpub, receive, change, single] = key
  HDNode.fromExtendedKey(xpub as string)
  const branches: [number, number] = single !== undefined ? [Number(single), Number(single) + 1] : [Number(receive), Number(change)]
  if (!branches.every((b) => b < 2 ** 31)) throw new InvalidArgumentError('Descriptor branches must be below 2^31.')
  return {
    addressType: wrapper[0],
    xpub: xpub as string,
    branches,
    ...(fp ? { origin: { fingerprint: parseInt(fp, 16), path: `m${(path ?? '').replace(/[hH]/g, "'")}` } } : {}),
  }
}
