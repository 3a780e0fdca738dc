/**
 * Off-transaction signatures with a coffer Signer: EIP-191 personal messages, EIP-712 typed
 * data, EIP-2612 permits and EIP-3009 transfer authorizations (USDC), and a viem
 * `LocalAccount` wrapper so a coffer signer can drive viem's wallet client. All offline
 * except where a permit's nonce or domain must be read from the token.
 * @module
 */
import {
  getAddress,
  hashMessage,
  hashTypedData,
  hexToBytes,
  isAddress,
  keccak256,
  serializeTransaction,
  toHex,
  type Hex,
  type LocalAccount,
  type SignableMessage,
  type TypedDataDefinition,
} from 'viem'
import { toAccount } from 'viem/accounts'
import { describe } from '../../core/assert.js'
import { InvalidArgumentError } from '../../core/errors.js'
import type { Secp256k1Signer, Signer } from '../../keys/signer.js'
import { checkTypedData } from './typed-data-check.js'

/** A 65-byte signature as r, s, yParity / v and its 0x hex form (r ‖ s ‖ v). */
export interface EvmSignature {
  readonly r: Hex
  readonly s: Hex
  readonly yParity: 0 | 1
  /** 27 or 28. */
  readonly v: 27 | 28
  /** 0x-prefixed 65 bytes. */
  readonly signature: Hex
  /** The 32-byte digest that was signed (EIP-191 / EIP-712 hash). */
  readonly digest: Hex
}

/** Checks that `signer` can sign for EVM. @throws InvalidArgumentError */
export function evmSigner(signer: unknown): Secp256k1Signer {
  const s = signer as Signer | null
  if (!s || typeof s !== 'object' || s.curve !== 'secp256k1' || s.chain !== 'evm' || typeof s.signDigest !== 'function') {
    throw new InvalidArgumentError(`An EVM signer is needed (vault.getSigner({ chain: 'evm', … })), got ${describe(signer)}.`)
  }
  return s
}

const word = (n: bigint) => n.toString(16).padStart(64, '0')

/** Signs a 32-byte hash and returns the EVM signature forms (hex built directly: r and s are in range, the signer checked). */
async function signHash(signer: Secp256k1Signer, hash: Hex): Promise<EvmSignature> {
  const sig = await signer.signDigest(hexToBytes(hash))
  const r = word(sig.r)
  const s = word(sig.s)
  const v = (27 + sig.recovery) as 27 | 28
  return { r: `0x${r}`, s: `0x${s}`, yParity: sig.recovery, v, signature: `0x${r}${s}${v.toString(16)}`, digest: hash }
}

/** EIP-191 `personal_sign` of a UTF-8 string, raw bytes or `{ raw: hex }`. */
export async function signMessage(signer: Signer, message: string | Uint8Array | { raw: Hex | Uint8Array }): Promise<EvmSignature> {
  const s = evmSigner(signer)
  const signable: SignableMessage = message instanceof Uint8Array ? { raw: message } : (message as SignableMessage)
  if (typeof signable !== 'string' && !(signable && typeof signable === 'object' && 'raw' in signable)) {
    throw new InvalidArgumentError('message must be a string, bytes or { raw }.')
  }
  return signHash(s, hashMessage(signable))
}

/**
 * The EIP-712 digest of typed data, after the strict check of every type and value
 * (`typed-data-check.ts`: e.g. a `bytes1` must be 0x and 2 hex digits, not "a").
 * @throws InvalidArgumentError naming the path and type of the first bad value
 */
function typedDataDigest(typedData: unknown): Hex {
  const checked = checkTypedData(typedData)
  try {
    return hashTypedData(checked)
  } catch (cause) {
    throw new InvalidArgumentError('Typed data does not match its types (EIP-712).', { cause })
  }
}

/**
 * EIP-712 typed data, in viem's `TypedDataDefinition` shape. Every value is checked against its
 * EIP-712 type first (integers: bigint, safe-integer number, decimal or 0x-hex string; `bytesN`:
 * exactly N bytes of 0x-hex or a Uint8Array; `bool`: a boolean; addresses: EIP-55 when mixed
 * case; structs: every declared field and no other), so nothing is signed as a value other
 * than the one given. @throws InvalidArgumentError naming the path (`message.details[2].amount`)
 * and the type
 */
export async function signTypedData(signer: Signer, typedData: TypedDataDefinition): Promise<EvmSignature> {
  const s = evmSigner(signer)
  return signHash(s, typedDataDigest(typedData))
}

/** Parameters of {@link signPermitWith}: a permit once the token facts (domain, nonce) are known. */
export interface PermitParameters {
  /** Token contract. */
  token: `0x${string}`
  /** The EIP-155 chain number (the EIP-712 domain's `chainId`). */
  eip155Id: number
  /** The token's EIP-712 domain name and version (e.g. "USD Coin", "2"). */
  name: string
  version: string
  owner: `0x${string}`
  spender: `0x${string}`
  /** Base units. */
  value: bigint
  /** The owner's current permit nonce on the token. */
  nonce: bigint
  /** Unix seconds. */
  deadline: bigint
}

/** EIP-2612 permit signature (approve by signature). */
export async function signPermitWith(signer: Signer, p: PermitParameters): Promise<EvmSignature> {
  const s = evmSigner(signer)
  if (s.address.toLowerCase() !== p.owner.toLowerCase()) throw new InvalidArgumentError('The signer is not the permit owner.')
  return signTypedData(s, {
    domain: { name: p.name, version: p.version, chainId: p.eip155Id, verifyingContract: p.token },
    types: {
      Permit: [
        { name: 'owner', type: 'address' },
        { name: 'spender', type: 'address' },
        { name: 'value', type: 'uint256' },
        { name: 'nonce', type: 'uint256' },
        { name: 'deadline', type: 'uint256' },
      ],
    },
    primaryType: 'Permit',
    message: { owner: p.owner, spender: p.spender, value: p.value, nonce: p.nonce, deadline: p.deadline },
  })
}

/** Parameters of an EIP-3009 `TransferWithAuthorization`. */
export interface TransferAuthorizationParameters {
  token: `0x${string}`
  /** The EIP-155 chain number (the EIP-712 domain's `chainId`). */
  eip155Id: number
  /** The token's EIP-712 domain name and version (USDC: "USD Coin", "2"). */
  name: string
  version: string
  from: `0x${string}`
  to: `0x${string}`
  value: bigint
  /** Unix seconds; default 0. */
  validAfter?: bigint
  /** Unix seconds. */
  validBefore: bigint
  /** 32 random bytes; generated when absent. */
  nonce?: Hex
}

/** EIP-3009 `transferWithAuthorization` signature (gasless USDC transfers). Returns the nonce used. */
export async function signTransferAuthorizationWith(
  signer: Signer,
  p: TransferAuthorizationParameters,
): Promise<EvmSignature & { nonce: Hex; validAfter: bigint; validBefore: bigint }> {
  const s = evmSigner(signer)
  if (s.address.toLowerCase() !== p.from.toLowerCase()) throw new InvalidArgumentError("The signer is not the authorization's `from`.")
  const nonce = p.nonce ?? toHex(crypto.getRandomValues(new Uint8Array(32)))
  const validAfter = p.validAfter ?? 0n
  const sig = await signTypedData(s, {
    domain: { name: p.name, version: p.version, chainId: p.eip155Id, verifyingContract: p.token },
    types: {
      TransferWithAuthorization: [
        { name: 'from', type: 'address' },
        { name: 'to', type: 'address' },
        { name: 'value', type: 'uint256' },
        { name: 'validAfter', type: 'uint256' },
        { name: 'validBefore', type: 'uint256' },
        { name: 'nonce', type: 'bytes32' },
      ],
    },
    primaryType: 'TransferWithAuthorization',
    message: { from: p.from, to: p.to, value: p.value, validAfter, validBefore: p.validBefore, nonce },
  })
  return { ...sig, nonce, validAfter, validBefore: p.validBefore }
}

/**
 * A viem `LocalAccount` backed by a coffer signer: hand it to `createWalletClient({ account })`.
 * The key stays in the signer; viem only ever sees signatures. Typed data goes through the same
 * strict EIP-712 check as {@link signTypedData}.
 */
export function toViemAccount(signer: Signer): LocalAccount {
  const s = evmSigner(signer)
  if (!isAddress(s.address)) throw new InvalidArgumentError('The signer has no valid EVM address.')
  return toAccount({
    address: getAddress(s.address),
    async signMessage({ message }) {
      return (await signHash(s, hashMessage(message))).signature
    },
    async signTypedData(typedData) {
      return (await signHash(s, typedDataDigest(typedData))).signature
    },
    async signTransaction(transaction, options) {
      const serializer = options?.serializer ?? serializeTransaction
      const sig = await signHash(s, keccak256(await serializer(transaction)))
      return serializer(transaction, { r: sig.r, s: sig.s, yParity: sig.yParity, v: BigInt(sig.v) })
    },
  })
}
