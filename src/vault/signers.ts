/**
 * Turning a vault secret into a Signer: derive (or take) the private key, work out the
 * address, and lend the key to the signer through a revocable {@link KeyHandle}.
 * @module
 * @internal
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { assertOneOf, assertOptions } from '../assert.js'
import { InvalidArgumentError } from '../errors.js'
import { CHAIN_FAMILIES, deriveAccountKey, type ChainFamily, type DeriveAccountOptions } from '../keys/account.js'
import { BITCOIN_ADDRESS_TYPES, BITCOIN_NETWORKS, bitcoinAddressFromPublicKey } from '../keys/address/bitcoin.js'
import { evmAddressFromPublicKey } from '../keys/address/evm.js'
import { solanaAddressFromPublicKey } from '../keys/address/solana.js'
import { tronAddressFromPublicKey } from '../keys/address/tron.js'
import { createEd25519Signer, createSecp256k1Signer, type KeyHandle, type Signer, type SignerInfo, type SignerOptions } from '../keys/signer.js'
import type { Secret } from './payload.js'

/** Options of `vault.getSigner`: which secret, and the same account options as `deriveAccount`. */
export type GetSignerOptions = DeriveAccountOptions & {
  /** The secret (from `listSecrets()`) to sign with. */
  secretId: string
  /** Verify every signature before returning it (default true). */
  verify?: boolean
}

/** A private key and the public facts of the account it controls. */
interface KeyAndInfo {
  privateKey: Uint8Array
  info: SignerInfo
}

function fromPrivateKey(secret: Extract<Secret, { kind: 'privateKey' }>, options: Record<string, unknown>): KeyAndInfo {
  const chain = assertOneOf(options.chain, 'chain', CHAIN_FAMILIES)
  const allowed = chain === 'bitcoin' ? ['chain', 'secretId', 'verify', 'addressType', 'network'] : ['chain', 'secretId', 'verify']
  const extra = Object.keys(options).filter((k) => options[k] !== undefined && !allowed.includes(k))
  if (extra.length) throw new InvalidArgumentError(`Option "${extra[0]}" does not apply to a single private key on ${chain}.`)
  const wantCurve = chain === 'solana' ? 'ed25519' : 'secp256k1'
  if (secret.curve !== wantCurve) {
    throw new InvalidArgumentError(`This secret is a ${secret.curve} key; ${chain} needs ${wantCurve}.`, { details: { secretId: secret.id } })
  }
  const privateKey = secret.key.slice()
  if (chain === 'solana') {
    const publicKey = ed25519.getPublicKey(privateKey)
    return { privateKey, info: { chain, publicKey, address: solanaAddressFromPublicKey(publicKey) } }
  }
  const publicKey = secp256k1.getPublicKey(privateKey, true)
  if (chain === 'bitcoin') {
    const addressType = assertOneOf(options.addressType ?? 'p2wpkh', 'addressType', BITCOIN_ADDRESS_TYPES)
    const network = assertOneOf(options.network ?? 'mainnet', 'network', BITCOIN_NETWORKS)
    return { privateKey, info: { chain, publicKey, addressType, network, address: bitcoinAddressFromPublicKey(publicKey, addressType, network) } }
  }
  const address = chain === 'evm' ? evmAddressFromPublicKey(publicKey) : tronAddressFromPublicKey(publicKey)
  return { privateKey, info: { chain, publicKey, address } }
}

function fromSeed(secret: Extract<Secret, { kind: 'mnemonic' }>, options: Record<string, unknown>): KeyAndInfo {
  const { secretId: _id, verify: _verify, ...accountOptions } = options
  const { account, privateKey } = deriveAccountKey(secret.seed, accountOptions as unknown as DeriveAccountOptions)
  const bitcoin = account as { addressType?: SignerInfo['addressType']; network?: SignerInfo['network'] }
  const info: SignerInfo = {
    chain: account.chain as ChainFamily,
    address: account.address,
    publicKey: account.publicKey,
    path: account.path,
    ...(bitcoin.addressType ? { addressType: bitcoin.addressType, network: bitcoin.network } : {}),
  }
  return { privateKey, info }
}

/** A signer for `secret`; `lend` wraps the derived private key in a revocable handle the vault tracks. */
export function signerFor(secret: Secret, options: GetSignerOptions, lend: (key: Uint8Array) => KeyHandle, onUse: () => void): Signer {
  const opts = assertOptions(options) as Record<string, unknown>
  const { privateKey, info } = secret.kind === 'mnemonic' ? fromSeed(secret, opts) : fromPrivateKey(secret, opts)
  const handle = lend(privateKey)
  const signerOptions: SignerOptions = { verify: opts.verify !== false, onUse }
  return info.chain === 'solana' ? createEd25519Signer(handle, info, signerOptions) : createSecp256k1Signer(handle, info, signerOptions)
}
