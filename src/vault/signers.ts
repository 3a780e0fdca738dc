/**
 * Turning a vault secret into a Signer. EVM signers — what most browser apps sign with — are
 * made here, on the lean derivation `evmSigner` uses (`keys/hd-signers.ts`: BIP-32 on @noble,
 * no Schnorr: EVM has none); every other family, and Bitcoin account signers, come from
 * `signers-families.ts`, loaded on first use. So a bundle that opens a vault and signs EVM
 * transactions carries no @scure/bip32, base58, bech32 or ed25519 code at start.
 * @module
 * @internal
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { assertOneOf } from '../core/assert.js'
import { InvalidArgumentError } from '../core/errors.js'
import type { DeriveAccountOptions } from '../keys/account.js'
import type { BitcoinAddressType, BitcoinNetwork } from '../keys/address/bitcoin.js'
import { evmAddressFromPublicKey } from '../keys/address/evm.js'
import { CHAIN_KINDS } from '../keys/chain-kinds.js'
import { seedAccountKey } from '../keys/hd-signers.js'
import { makeSecp256k1Signer } from '../keys/secp256k1-signer.js'
import type { AccountSigner, KeyHandle, Signer } from '../keys/signer.js'
import type { Secret } from './payload.js'

/** Options of `vault.getSigner`: which secret, and the same account options as `deriveAccount`. */
export type GetSignerOptions = DeriveAccountOptions & {
  /** The secret (from `listSecrets()`) to sign with. */
  secretId: string
  /** Verify every signature before returning it (default true). */
  verify?: boolean
}

/** Options of `vault.getAccountSigner`: a Bitcoin HD account of a mnemonic secret. */
export interface GetAccountSignerOptions {
  secretId: string
  chain: 'bitcoin'
  /** Default `'p2wpkh'` (BIP-84). */
  addressType?: BitcoinAddressType
  /** Default `'mainnet'`. */
  network?: BitcoinNetwork
  /** BIP-44 account index (hardened). Default 0. */
  account?: number
  /** Verify every signature before returning it (default true). */
  verify?: boolean
}

/** Lends a derived key to a signer through a handle the vault revokes when it locks. */
type Lend = (key: Uint8Array) => KeyHandle

/** Makes a signer for `secret` (synchronously: the secret is read while the vault is known unlocked). */
export type MakeSigner = (secret: Secret, options: GetSignerOptions, lend: Lend, onUse: () => void) => Signer

/** Makes an account signer for `secret`. */
export type MakeAccountSigner = (secret: Secret, options: GetAccountSignerOptions, lend: Lend, onUse: () => void) => AccountSigner

const families = () => import('./signers-families.js')

/**
 * The signer maker for `chain`: EVM's from this module, the others' loaded on first use.
 * @throws InvalidArgumentError for an unknown chain
 */
export async function signerMaker(chain: unknown): Promise<MakeSigner> {
  if (assertOneOf(chain, 'chain', CHAIN_KINDS) === 'evm') return evmSignerFor
  return (await families()).signerFor
}

/** The Bitcoin account signer maker (loaded on first use). */
export async function accountSignerMaker(): Promise<MakeAccountSigner> {
  return (await families()).accountSignerFor
}

/** An EVM signer for a mnemonic secret (deriveAccount's options and paths) or a secp256k1 key secret. */
function evmSignerFor(secret: Secret, options: GetSignerOptions, lend: Lend, onUse: () => void): Signer {
  const { secretId: _id, chain: _chain, ...rest } = options as GetSignerOptions & Record<string, unknown>
  if (secret.kind === 'mnemonic') {
    const { privateKey, info, verify } = seedAccountKey(secret.seed, rest, 'evm', evmAddressFromPublicKey)
    return makeSecp256k1Signer(lend(privateKey), info, { verify, onUse })
  }
  const extra = Object.keys(rest).find((k) => k !== 'verify' && rest[k] !== undefined)
  if (extra) throw new InvalidArgumentError(`Option "${extra}" does not apply to a single private key on evm.`)
  if (secret.curve !== 'secp256k1') {
    throw new InvalidArgumentError(`This secret is a ${secret.curve} key; evm needs secp256k1.`, { details: { secretId: secret.id } })
  }
  const privateKey = secret.key.slice()
  const publicKey = secp256k1.getPublicKey(privateKey, true)
  return makeSecp256k1Signer(
    lend(privateKey),
    { chain: 'evm', publicKey, address: evmAddressFromPublicKey(publicKey) },
    { verify: rest.verify !== false, onUse },
  )
}
