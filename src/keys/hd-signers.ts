/**
 * Signers straight from a seed, for scripts and apps that hold the seed themselves instead of
 * a vault: `evmSigner(seed, { index })`, `tronSigner(seed, { index })`. Same options, paths and
 * defaults as `deriveAccount` (EVM `m/44'/60'/{account}'/0/{index}`, Tron
 * `m/44'/195'/{account}'/0/{index}`, or `path`), the same address, and a signer that holds the
 * derived key until `signer.wipe()` zeroes it (later use throws KeyWipedError, as a vault's
 * signers do once it locks). Every signature is verified before it is returned unless
 * `verify: false`.
 *
 * One function per chain, on a lean derivation (`bip32-private.ts`) and without Schnorr (EVM
 * and Tron have none: `signSchnorr` refuses), so a browser bundle that turns a phrase into a
 * signed EVM transaction carries only what that needs and stays under viem's size
 * (test/bundle-budgets.test.ts). Bitcoin spends from many addresses of an account: use a
 * vault's `getAccountSigner`; Solana keys are ed25519: a vault's `getSigner`.
 * @module
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { assertInteger, assertOptions, describe } from '../core/assert.js'
import { InvalidArgumentError, InvalidPathError } from '../core/errors.js'
import { evmAddressFromPublicKey } from './address/evm.js'
import { tronAddressFromPublicKey } from './address/tron.js'
import { derivePrivateKey } from './bip32-private.js'
import { formatPath, HARDENED_OFFSET } from './path.js'
import { oneAccountIndices } from './path-template.js'
import { makeSecp256k1Signer } from './secp256k1-signer.js'
import { KeyHandle, type Secp256k1Signer, type SignerInfo } from './signer.js'

/** Options of {@link evmSigner} and {@link tronSigner}: `deriveAccount`'s, less `chain`, plus `verify`. */
export interface SeedSignerOptions {
  /** Address index (the `{index}` of the path). Default 0. */
  index?: number
  /** BIP-44 account (hardened). Default 0. */
  account?: number
  /** A full path overriding the default; may hold one `{index}`. Not with `account`. */
  path?: string
  /** Verify every signature before returning it (default true). Turn off only for measured hot paths. */
  verify?: boolean
}

/** A signer made from a seed: it owns its key, so it can be wiped. */
export interface SeedSigner extends Secp256k1Signer {
  readonly chain: 'evm' | 'tron'
  /** The path the key was derived at, hardened marks as `'`. */
  readonly path: string
  /** Zeroes the key; every later call throws KeyWipedError. */
  wipe(): void
}

const ALLOWED = ['index', 'account', 'path', 'verify']

/** What {@link seedAccountKey} gives: the derived key (the caller owns and zeroes it) and the account's public facts. @internal */
export interface SeedAccountKey {
  readonly privateKey: Uint8Array
  readonly info: SignerInfo & { readonly path: string }
  /** The `verify` option (default true). */
  readonly verify: boolean
}

const COIN = { evm: 60, tron: 195 } as const

/**
 * The key and address of an EVM or Tron account of `seed`, with `deriveAccount`'s options
 * (`index`, `account`, `path`) and defaults, plus `verify`, checked: the lean derivation the
 * seed signers and a vault's EVM signers share. @internal
 * @throws InvalidSeedError, InvalidPathError, InvalidArgumentError
 */
export function seedAccountKey(
  seed: Uint8Array,
  options: object | undefined,
  chain: 'evm' | 'tron',
  addressOf: (publicKey: Uint8Array) => string,
): SeedAccountKey {
  const opts = assertOptions(options) as Record<string, unknown>
  const extra = Object.keys(opts).find((key) => opts[key] !== undefined && !ALLOWED.includes(key))
  if (extra) throw new InvalidArgumentError(`Option "${extra}" does not apply to ${chain} signers.`)
  if (opts.verify !== undefined && typeof opts.verify !== 'boolean')
    throw new InvalidArgumentError(`verify must be a boolean, got ${describe(opts.verify)}.`)
  if (opts.path !== undefined) {
    if (opts.account !== undefined)
      throw new InvalidArgumentError('Pass either path or account, not both: path already says where the account is.')
    if (typeof opts.path !== 'string') throw new InvalidPathError(`path must be a string, got ${describe(opts.path)}.`)
  }
  const account = assertInteger(opts.account ?? 0, 'account', 0, HARDENED_OFFSET - 1)
  const template = (opts.path as string | undefined) ?? `m/44'/${COIN[chain]}'/${account}'/0/{index}`
  const { privateKey, indices } = derivePrivateKey(seed, oneAccountIndices(template, opts.index))
  const publicKey = secp256k1.getPublicKey(privateKey, true)
  return {
    privateKey,
    info: { chain, address: addressOf(publicKey), publicKey, path: formatPath(indices) },
    verify: opts.verify !== false,
  }
}

function seedSigner(
  seed: Uint8Array,
  options: SeedSignerOptions | undefined,
  chain: 'evm' | 'tron',
  addressOf: (publicKey: Uint8Array) => string,
): SeedSigner {
  const { privateKey, info, verify } = seedAccountKey(seed, options, chain, addressOf)
  return makeSecp256k1Signer(new KeyHandle(privateKey), info, { verify, wipe: true }) as SeedSigner
}

/**
 * An EVM signer for the key `deriveAccount(seed, { chain: 'evm', … })` names, for
 * `signEvmTransaction`, `signMessage`, `signTypedData`. Wipe it when done.
 * @example const signer = evmSigner(await mnemonicToSeed(phrase), { index: 0 })
 * @throws InvalidSeedError, InvalidPathError, InvalidArgumentError
 */
export function evmSigner(seed: Uint8Array, options?: SeedSignerOptions): SeedSigner & { readonly chain: 'evm' } {
  return seedSigner(seed, options, 'evm', evmAddressFromPublicKey) as SeedSigner & { readonly chain: 'evm' }
}

/**
 * A TRON signer for the key `deriveAccount(seed, { chain: 'tron', … })` names, for the Tron
 * adapter's sends and `signTronMessage`. Wipe it when done.
 * @throws InvalidSeedError, InvalidPathError, InvalidArgumentError
 */
export function tronSigner(seed: Uint8Array, options?: SeedSignerOptions): SeedSigner & { readonly chain: 'tron' } {
  return seedSigner(seed, options, 'tron', tronAddressFromPublicKey) as SeedSigner & { readonly chain: 'tron' }
}
