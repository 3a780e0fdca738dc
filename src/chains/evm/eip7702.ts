/**
 * EIP-7702: an EOA delegates its code to a contract (a smart-account implementation) by signing
 * an authorization, `keccak256(0x05 ‖ rlp([chain_id, address, nonce]))`, carried in a type-4
 * ("set code") transaction; delegating to the zero address revokes it. The account keeps its
 * address and its funds: nothing moves, no new address to fund.
 *
 * An authorization hands the account to the delegate's code, so coffer signs one only for a
 * delegate on {@link KNOWN_DELEGATES} (audited implementations, by address), the zero address
 * (revocation), or the one address the caller names in `allowDelegate` after auditing it
 * themselves; anything else is UnknownDelegateError before the key is touched. Authorizations
 * for chain id 0 (valid on every chain, so replayable on each) are refused.
 *
 * A self-sponsored delegation ({@link signDelegation}) is one type-4 transaction from the
 * account to itself: the transaction takes nonce n, so the authorization, processed after the
 * nonce is bumped, carries n + 1.
 * @module
 */
import { keccak_256 } from '@noble/hashes/sha3.js'
import { hexToBytes } from '@noble/hashes/utils.js'
import type { Hex } from 'viem'
import { describe, isIntegerIn } from '../../core/assert.js'
import { InvalidArgumentError, UnknownDelegateError } from '../../core/errors.js'
import { isValidEvmAddress, toChecksumAddress } from '../../keys/address/evm.js'
import type { Signer } from '../../keys/signer.js'
import type { SignedTransaction } from '../adapter.js'
import { rlpEncode, rlpInteger } from './rlp.js'
import { signSerializable, withHash } from './serialize.js'
import { evmSigner } from './signing.js'

/** An audited smart-account implementation an EOA may delegate to. */
export interface KnownDelegate {
  readonly address: `0x${string}`
  readonly name: string
  /** Who wrote it, the standard it serves, and where its audit is. */
  readonly source: string
  /** The ERC-4337 EntryPoint it trusts. */
  readonly entryPoint: `0x${string}`
}

/**
 * Delegates coffer signs authorizations for without `allowDelegate`. Simple7702Account v0.8
 * (eth-infinitism, `@account-abstraction/contracts` 0.8.0): a minimal ERC-4337 v0.8 account
 * (execute, executeBatch, ERC-1271, token receivers; its owner is the EOA's own key), deployed
 * at the same address on every chain through the deterministic CREATE2 deployer (salt 0);
 * test/chains/evm/eip7702.test.ts deploys the npm artifact that way and gets this address.
 */
export const KNOWN_DELEGATES: readonly KnownDelegate[] = Object.freeze([
  Object.freeze({
    address: '0xe6Cae83BdE06E4c305530e199D7217f42808555B',
    name: 'Simple7702Account v0.8',
    source: 'eth-infinitism account-abstraction v0.8.0 (audited with EntryPoint v0.8)',
    entryPoint: '0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108',
  } as const),
])

/** Delegating to this address revokes a delegation: the account is a plain EOA again. */
export const NO_DELEGATE = '0x0000000000000000000000000000000000000000'

/** What an authorization says: on `chainId`, at account nonce `nonce`, run `address`'s code. */
export interface Authorization {
  readonly chainId: number
  /** The delegate (the zero address revokes). */
  readonly address: `0x${string}`
  readonly nonce: number
}

/** A signed authorization, as a type-4 transaction's `authorization_list` carries it (viem's shape). */
export interface SignedAuthorization extends Authorization {
  readonly yParity: 0 | 1
  readonly r: Hex
  readonly s: Hex
}

/** Options of {@link signAuthorization} and {@link signDelegation}. */
export interface DelegateOptions {
  /** A delegate outside {@link KNOWN_DELEGATES} the caller insists on, by address (audit it first). */
  readonly allowDelegate?: string
}

const MAGIC = 0x05

function checkAuthorization(value: unknown): Authorization {
  const a = value as Partial<Authorization> | null
  if (!a || typeof a !== 'object')
    throw new InvalidArgumentError(`An authorization is { chainId, address, nonce }, got ${describe(value)}.`)
  if (!isIntegerIn(a.chainId, 1, Number.MAX_SAFE_INTEGER))
    throw new InvalidArgumentError('authorization.chainId must be the chain id (an integer ≥ 1); chain id 0 would be valid on every chain.')
  if (!isIntegerIn(a.nonce, 0, Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError('authorization.nonce must be an integer ≥ 0.')
  if (typeof a.address !== 'string' || !isValidEvmAddress(a.address))
    throw new InvalidArgumentError(`authorization.address must be an EVM address, got ${describe(a.address)}.`)
  return { chainId: a.chainId, address: toChecksumAddress(a.address), nonce: a.nonce }
}

/** Refuses a delegate that is neither listed, nor the zero address, nor the caller's `allowDelegate`. @throws UnknownDelegateError */
function checkDelegate(auth: Authorization, options: DelegateOptions | undefined): void {
  const delegate = auth.address.toLowerCase()
  if (delegate === NO_DELEGATE || KNOWN_DELEGATES.some((d) => d.address.toLowerCase() === delegate)) return
  const allowed = options?.allowDelegate
  if (allowed !== undefined && (typeof allowed !== 'string' || !isValidEvmAddress(allowed)))
    throw new InvalidArgumentError(`allowDelegate must be an EVM address, got ${describe(allowed)}.`)
  if (allowed?.toLowerCase() === delegate) return
  throw new UnknownDelegateError(
    `${auth.address} is not an audited account implementation coffer knows (KNOWN_DELEGATES); an authorization would hand the account to its code. Name it in allowDelegate only after auditing it.`,
    { details: { delegate: auth.address, chainId: String(auth.chainId) } },
  )
}

/** The digest an EIP-7702 authorization signs: keccak256(0x05 ‖ rlp([chain_id, address, nonce])). @throws InvalidArgumentError */
export function authorizationDigest(authorization: Authorization): Uint8Array {
  const a = checkAuthorization(authorization)
  const body = rlpEncode([rlpInteger(a.chainId), hexToBytes(a.address.slice(2)), rlpInteger(a.nonce)])
  const message = new Uint8Array(body.length + 1)
  message[0] = MAGIC
  message.set(body, 1)
  return keccak_256(message)
}

const word = (n: bigint): Hex => `0x${n.toString(16).padStart(64, '0')}`

/**
 * Signs an EIP-7702 authorization with an EVM signer, after the delegate check.
 * @throws UnknownDelegateError; InvalidArgumentError; VaultLockedError / KeyWipedError; SignatureVerificationError
 */
export async function signAuthorization(
  signer: Signer,
  authorization: Authorization,
  options?: DelegateOptions,
): Promise<SignedAuthorization> {
  const s = evmSigner(signer)
  const a = checkAuthorization(authorization)
  checkDelegate(a, options)
  const sig = await s.signDigest(authorizationDigest(a))
  return Object.freeze({ ...a, yParity: sig.recovery, r: word(sig.r), s: word(sig.s) })
}

/** Parameters of {@link signDelegation}: the account's next nonce and the fees, as the caller read them from the chain. */
export interface DelegationParameters {
  readonly chainId: number
  /** The account's next transaction nonce (the authorization takes nonce + 1). */
  readonly nonce: number
  /** The implementation to delegate to; `null` revokes. */
  readonly delegate: string | null
  readonly maxFeePerGas: bigint
  readonly maxPriorityFeePerGas: bigint
  /** Gas limit, default 80,000 (21,000 + 25,000 per authorization, with room). */
  readonly gas?: bigint
}

/**
 * A self-sponsored delegation (or revocation): one type-4 transaction from the account to
 * itself, carrying its own authorization. Offline; broadcast it with the adapter's `broadcast`.
 * @throws UnknownDelegateError; InvalidArgumentError; VaultLockedError / KeyWipedError; SignatureVerificationError
 */
export async function signDelegation(
  signer: Signer,
  parameters: DelegationParameters,
  options?: DelegateOptions,
): Promise<SignedTransaction & { readonly authorization: SignedAuthorization }> {
  const s = evmSigner(signer)
  const p = parameters as Partial<DelegationParameters> | null
  if (!p || typeof p !== 'object') throw new InvalidArgumentError(`Delegation parameters are an object, got ${describe(parameters)}.`)
  if (!isIntegerIn(p.nonce, 0, Number.MAX_SAFE_INTEGER - 1))
    throw new InvalidArgumentError('nonce must be the account’s next nonce (an integer ≥ 0).')
  const fee = (name: 'maxFeePerGas' | 'maxPriorityFeePerGas' | 'gas', value: unknown) => {
    if (typeof value !== 'bigint' || value < 0n || value >= 2n ** 256n)
      throw new InvalidArgumentError(`${name} must be a bigint of wei (gas units for gas).`)
    return value
  }
  const maxFeePerGas = fee('maxFeePerGas', p.maxFeePerGas)
  const maxPriorityFeePerGas = fee('maxPriorityFeePerGas', p.maxPriorityFeePerGas)
  if (maxPriorityFeePerGas > maxFeePerGas) throw new InvalidArgumentError('maxPriorityFeePerGas is above maxFeePerGas.')
  const gas = fee('gas', p.gas ?? 80_000n)
  if (p.delegate !== null && typeof p.delegate !== 'string')
    throw new InvalidArgumentError('delegate must be an address, or null to revoke.')
  const authorization = await signAuthorization(
    s,
    { chainId: p.chainId as number, address: (p.delegate ?? NO_DELEGATE) as `0x${string}`, nonce: p.nonce + 1 },
    options,
  )
  const tx = {
    type: 'eip7702' as const,
    chainId: authorization.chainId,
    nonce: p.nonce,
    to: s.address as `0x${string}`,
    value: 0n,
    data: '0x' as Hex,
    gas,
    maxFeePerGas,
    maxPriorityFeePerGas,
    authorizationList: [authorization],
  }
  const signed = withHash(
    { chainId: `eip155:${authorization.chainId}` as const, kind: 'evm-eip7702', from: toChecksumAddress(s.address) },
    await signSerializable(tx, s),
  )
  return Object.freeze(Object.assign(signed, { authorization }))
}

/**
 * What an account's code says about delegation: the delegate's address for a delegation
 * designator (`0xef0100 ‖ address`), null for no code (a plain EOA), undefined for other code
 * (a contract account).
 */
export function delegationOf(code: string): `0x${string}` | null | undefined {
  if (typeof code !== 'string') throw new InvalidArgumentError(`code must be a hex string, got ${describe(code)}.`)
  const hex = code.toLowerCase()
  if (hex === '0x' || hex === '') return null
  const m = /^0xef0100([0-9a-f]{40})$/.exec(hex)
  return m ? toChecksumAddress(`0x${m[1]}`) : undefined
}
