/**
 * Signers of every family and Bitcoin account signers, made from a vault secret: derive (or
 * take) the private key, work out the address, and lend the key through a revocable
 * {@link KeyHandle}. Loaded on first use by `signers.ts` (a bundle that signs only EVM never
 * loads this module, nor @scure/bip32, base58/bech32 or ed25519).
 * @module
 * @internal
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { assertOneOf, assertOptions, isIntegerIn } from '../core/assert.js'
import { InvalidArgumentError } from '../core/errors.js'
import { CHAIN_KINDS, deriveAccountKey, type ChainKind, type DeriveAccountOptions } from '../keys/account.js'
import { HDKey } from '@scure/bip32'
import { BITCOIN_ADDRESS_TYPES, BITCOIN_NETWORKS, bitcoinAddressFromPublicKey, type BitcoinAddressType } from '../keys/address/bitcoin.js'
import { formatDescriptor } from '../keys/descriptor.js'
import { HARDENED_OFFSET } from '../keys/path.js'
import { REDACTED, redacted } from '../keys/redact.js'
import { EXTENDED_KEY_VERSIONS, masterKey } from '../keys/secp256k1.js'
import { solanaAddressFromPublicKey } from '../keys/address/solana.js'
import { tronAddressFromPublicKey } from '../keys/address/tron.js'
import {
  createEd25519Signer,
  createSecp256k1Signer,
  type AccountSigner,
  type KeyHandle,
  type Secp256k1Signer,
  type Signer,
  type SignerInfo,
  type SignerOptions,
} from '../keys/signer.js'
import type { Secret } from './payload.js'
import type { GetAccountSignerOptions, GetSignerOptions } from './signers.js'

/** A private key and the public facts of the account it controls. */
interface KeyAndInfo {
  privateKey: Uint8Array
  info: SignerInfo
}

/** The families made here: EVM signers come from signers.ts. */
const FAMILIES = CHAIN_KINDS.filter((c) => c !== 'evm')

function fromPrivateKey(secret: Extract<Secret, { kind: 'privateKey' }>, options: Record<string, unknown>): KeyAndInfo {
  const chain = assertOneOf(options.chain, 'chain', FAMILIES)
  const allowed = chain === 'bitcoin' ? ['chain', 'secretId', 'verify', 'addressType', 'network'] : ['chain', 'secretId', 'verify']
  const extra = Object.keys(options).filter((k) => options[k] !== undefined && !allowed.includes(k))
  if (extra.length) throw new InvalidArgumentError(`Option "${extra[0]}" does not apply to a single private key on ${chain}.`)
  const wantCurve = chain === 'solana' ? 'ed25519' : 'secp256k1'
  if (secret.curve !== wantCurve) {
    throw new InvalidArgumentError(`This secret is a ${secret.curve} key; ${chain} needs ${wantCurve}.`, {
      details: { secretId: secret.id },
    })
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
    return {
      privateKey,
      info: { chain, publicKey, addressType, network, address: bitcoinAddressFromPublicKey(publicKey, addressType, network) },
    }
  }
  return { privateKey, info: { chain, publicKey, address: tronAddressFromPublicKey(publicKey) } }
}

function fromSeed(secret: Extract<Secret, { kind: 'mnemonic' }>, options: Record<string, unknown>): KeyAndInfo {
  const { secretId: _id, verify: _verify, ...accountOptions } = options
  const { account, privateKey } = deriveAccountKey(secret.seed, accountOptions as unknown as DeriveAccountOptions)
  const bitcoin = account as { addressType?: SignerInfo['addressType']; network?: SignerInfo['network'] }
  const info: SignerInfo = {
    chain: account.chain as ChainKind,
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

const PURPOSE: Record<BitcoinAddressType, number> = { p2pkh: 44, 'p2sh-p2wpkh': 49, p2wpkh: 84, p2tr: 86 }

/** An account signer for a mnemonic secret; child keys are lent through `lend` like any signer's. */
export function accountSignerFor(
  secret: Secret,
  options: GetAccountSignerOptions,
  lend: (key: Uint8Array) => KeyHandle,
  onUse: () => void,
): AccountSigner {
  const opts = assertOptions(options) as Record<string, unknown>
  assertOneOf(opts.chain, 'chain', ['bitcoin'])
  if (secret.kind !== 'mnemonic')
    throw new InvalidArgumentError('An HD account needs a mnemonic secret; a single private key has no account.', {
      details: { secretId: secret.id },
    })
  const addressType = assertOneOf(opts.addressType ?? 'p2wpkh', 'addressType', BITCOIN_ADDRESS_TYPES)
  const network = assertOneOf(opts.network ?? 'mainnet', 'network', BITCOIN_NETWORKS)
  const account = opts.account ?? 0
  if (!isIntegerIn(account, 0, HARDENED_OFFSET - 1)) {
    throw new InvalidArgumentError('account must be an integer from 0 to 2^31 - 1.')
  }
  const versions = network === 'mainnet' ? EXTENDED_KEY_VERSIONS.xpub : EXTENDED_KEY_VERSIONS.tpub
  const accountPath = `m/${PURPOSE[addressType]}'/${network === 'mainnet' ? 0 : 1}'/${account}'`
  const root = masterKey(secret.seed, versions)
  const node = root.derive(accountPath)
  const masterFingerprint = root.fingerprint
  const accountXpub = node.publicExtendedKey
  // The account key and chain code, lent like any key: zeroed when the vault locks.
  const material = lend(new Uint8Array([...(node.privateKey as Uint8Array), ...(node.chainCode as Uint8Array)]))
  node.wipePrivateData()
  root.wipePrivateData()
  const verify = opts.verify !== false
  const children = new Map<string, Secp256k1Signer>()
  const descriptor = formatDescriptor({
    addressType,
    xpub: accountXpub,
    origin: { fingerprint: masterFingerprint, path: accountPath },
    branches: [0, 1],
  })
  const signer: AccountSigner = {
    kind: 'account',
    curve: 'secp256k1',
    chain: 'bitcoin',
    addressType,
    network,
    accountPath,
    accountXpub,
    masterFingerprint,
    descriptor,
    child(change: 0 | 1, index: number): Secp256k1Signer {
      assertOneOf(change, 'change', [0, 1])
      if (!isIntegerIn(index, 0, HARDENED_OFFSET - 1)) throw new InvalidArgumentError('index must be an integer from 0 to 2^31 - 1.')
      const key = `${change}/${index}`
      const cached = children.get(key)
      if (cached) return cached
      const childKey = material.use((m) => {
        const accountKey = new HDKey({ versions, depth: 3, chainCode: m.slice(32), privateKey: m.slice(0, 32) })
        const leaf = accountKey.deriveChild(change).deriveChild(index)
        const privateKey = (leaf.privateKey as Uint8Array).slice()
        const publicKey = leaf.publicKey as Uint8Array
        accountKey.wipePrivateData()
        leaf.wipePrivateData()
        return { privateKey, publicKey }
      })
      const info: SignerInfo = {
        chain: 'bitcoin',
        publicKey: childKey.publicKey,
        address: bitcoinAddressFromPublicKey(childKey.publicKey, addressType, network),
        path: `${accountPath}/${change}/${index}`,
        addressType,
        network,
      }
      const child = createSecp256k1Signer(lend(childKey.privateKey), info, { verify, onUse })
      children.set(key, child)
      return child
    },
  }
  return redacted(signer, 'AccountSigner', () => ({
    chain: 'bitcoin',
    addressType,
    network,
    accountPath,
    accountXpub,
    descriptor,
    privateKey: REDACTED,
  }))
}
