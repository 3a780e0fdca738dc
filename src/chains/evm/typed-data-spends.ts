/**
 * Which EIP-712 messages move tokens once signed, and how much, to whom: EIP-2612 `Permit`,
 * DAI's `Permit(holder, spender, nonce, expiry, allowed)`, EIP-3009 `TransferWithAuthorization`
 * and `ReceiveWithAuthorization`, and Uniswap Permit2 (`PermitSingle`, `PermitBatch`,
 * `PermitTransferFrom`, `PermitBatchTransferFrom` and their witness variants).
 *
 * A message is recognised by its struct definition, not by its name: the field names and types
 * of the primary type (and of Permit2's nested types) must be the standard's exactly, because
 * only then does the token or Permit2 contract accept the signature. A look-alike with other
 * fields authorises nothing on those contracts and is left to the confirmation hooks.
 * Sources: EIP-2612, EIP-3009, the DAI token (MakerDAO dss `Dai.sol`), Uniswap Permit2
 * (`PermitHash.sol`).
 * @module
 * @internal
 */
import { getAddress, isAddress } from 'viem'
import { describe } from '../../core/assert.js'
import { InvalidArgumentError } from '../../core/errors.js'
import type { AssetInfo, TypedDataSpend } from '../adapter.js'
import { erc20AssetId } from './registry.js'

type Field = readonly [name: string, type: string]

const EIP2612: readonly Field[] = [
  ['owner', 'address'],
  ['spender', 'address'],
  ['value', 'uint256'],
  ['nonce', 'uint256'],
  ['deadline', 'uint256'],
]
const DAI: readonly Field[] = [
  ['holder', 'address'],
  ['spender', 'address'],
  ['nonce', 'uint256'],
  ['expiry', 'uint256'],
  ['allowed', 'bool'],
]
const EIP3009: readonly Field[] = [
  ['from', 'address'],
  ['to', 'address'],
  ['value', 'uint256'],
  ['validAfter', 'uint256'],
  ['validBefore', 'uint256'],
  ['nonce', 'bytes32'],
]
const PERMIT_DETAILS: readonly Field[] = [
  ['token', 'address'],
  ['amount', 'uint160'],
  ['expiration', 'uint48'],
  ['nonce', 'uint48'],
]
const TOKEN_PERMISSIONS: readonly Field[] = [
  ['token', 'address'],
  ['amount', 'uint256'],
]
const PERMIT_SINGLE: readonly Field[] = [
  ['details', 'PermitDetails'],
  ['spender', 'address'],
  ['sigDeadline', 'uint256'],
]
const PERMIT_BATCH: readonly Field[] = [
  ['details', 'PermitDetails[]'],
  ['spender', 'address'],
  ['sigDeadline', 'uint256'],
]
const TRANSFER_FROM: readonly Field[] = [
  ['permitted', 'TokenPermissions'],
  ['spender', 'address'],
  ['nonce', 'uint256'],
  ['deadline', 'uint256'],
]
const BATCH_TRANSFER_FROM: readonly Field[] = [
  ['permitted', 'TokenPermissions[]'],
  ['spender', 'address'],
  ['nonce', 'uint256'],
  ['deadline', 'uint256'],
]

const UINT256_MAX = 2n ** 256n - 1n
const UINT160_MAX = 2n ** 160n - 1n

interface TypedData {
  domain?: Record<string, unknown>
  types: Record<string, readonly { name: string; type: string }[]>
  primaryType: string
  message: Record<string, unknown>
}

/** Looks up (or reads from the chain) the token at an address. */
export type AssetLookup = (id: ReturnType<typeof erc20AssetId>) => Promise<AssetInfo>

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** True when `type` is declared with exactly `fields` (the first `fields.length` when `prefix`). */
function declares(data: TypedData, type: string, fields: readonly Field[], prefix = false): boolean {
  const declared = data.types[type]
  if (!Array.isArray(declared)) return false
  if (prefix ? declared.length !== fields.length + 1 : declared.length !== fields.length) return false
  return fields.every(([name, t], i) => declared[i]?.name === name && declared[i]?.type === t)
}

function uint(value: unknown, what: string): bigint {
  let n: bigint | undefined
  if (typeof value === 'bigint') n = value
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value)
  else if (typeof value === 'string' && /^(0x[0-9a-fA-F]{1,64}|\d{1,78})$/.test(value)) n = BigInt(value)
  if (n === undefined || n < 0n || n > UINT256_MAX)
    throw new InvalidArgumentError(`The typed data's ${what} must be an unsigned integer, got ${describe(value)}.`)
  return n
}

function address(value: unknown, what: string): `0x${string}` {
  if (typeof value !== 'string' || !isAddress(value, { strict: false }))
    throw new InvalidArgumentError(`The typed data's ${what} must be an address, got ${describe(value)}.`)
  return getAddress(value)
}

/** Unix seconds, when they fit a Date (a deadline of 2^256 - 1 means never). */
function seconds(value: bigint): number | undefined {
  return value > 0n && value < 2n ** 40n ? Number(value) : undefined
}

function earliest(...times: (number | undefined)[]): number | undefined {
  const set = times.filter((t): t is number => t !== undefined)
  return set.length ? Math.min(...set) : undefined
}

/**
 * The token movements `typedData` authorises on chain `chainId`; empty when it is no standard
 * the adapter knows. @throws InvalidArgumentError for a malformed standard message or a domain
 * of another chain
 */
export async function typedDataSpends(typedData: unknown, chainId: number, lookup: AssetLookup): Promise<TypedDataSpend[]> {
  if (!isRecord(typedData) || !isRecord(typedData.types) || typeof typedData.primaryType !== 'string' || !isRecord(typedData.message))
    return []
  const data = typedData as unknown as TypedData
  const domain = isRecord(data.domain) ? data.domain : {}
  const m = data.message
  const p = data.primaryType
  // Called first in every recognised branch: a token movement on another chain is not checked here.
  const sameChain = () => {
    if (domain.chainId !== undefined && uint(domain.chainId, 'domain.chainId') !== BigInt(chainId)) {
      throw new InvalidArgumentError(
        `This typed data moves tokens on chain ${String(domain.chainId)}, not ${chainId}: sign it with an account on that chain.`,
      )
    }
  }
  const token = async (value: unknown) => lookup(erc20AssetId(chainId, address(value, 'token')))
  const domainToken = () => token(domain.verifyingContract)

  if (p === 'Permit' && declares(data, p, EIP2612)) {
    sameChain()
    const value = uint(m.value, 'value')
    const deadline = seconds(uint(m.deadline, 'deadline'))
    return [
      {
        kind: 'approval',
        standard: 'eip-2612',
        asset: await domainToken(),
        amount: value,
        unlimited: value === UINT256_MAX,
        from: address(m.owner, 'owner'),
        to: address(m.spender, 'spender'),
        ...(deadline ? { expiresAt: deadline } : {}),
      },
    ]
  }
  if (p === 'Permit' && declares(data, p, DAI)) {
    sameChain()
    if (m.allowed !== true && m.allowed !== 'true') return [] // allowed = false revokes
    const expiry = seconds(uint(m.expiry, 'expiry'))
    return [
      {
        kind: 'approval',
        standard: 'dai-permit',
        asset: await domainToken(),
        amount: UINT256_MAX,
        unlimited: true,
        from: address(m.holder, 'holder'),
        to: address(m.spender, 'spender'),
        ...(expiry ? { expiresAt: expiry } : {}),
      },
    ]
  }
  if ((p === 'TransferWithAuthorization' || p === 'ReceiveWithAuthorization') && declares(data, p, EIP3009)) {
    sameChain()
    const validBefore = seconds(uint(m.validBefore, 'validBefore'))
    return [
      {
        kind: 'transfer',
        standard: 'eip-3009',
        asset: await domainToken(),
        amount: uint(m.value, 'value'),
        unlimited: false,
        from: address(m.from, 'from'),
        to: address(m.to, 'to'),
        ...(validBefore ? { expiresAt: validBefore } : {}),
      },
    ]
  }
  // Permit2: the signer is the owner; the message names the spender and the tokens.
  if ((p === 'PermitSingle' && declares(data, p, PERMIT_SINGLE)) || (p === 'PermitBatch' && declares(data, p, PERMIT_BATCH))) {
    if (!declares(data, 'PermitDetails', PERMIT_DETAILS)) return []
    sameChain()
    const list = p === 'PermitBatch' ? m.details : [m.details]
    if (!Array.isArray(list) || list.length === 0 || list.length > 100)
      throw new InvalidArgumentError('The Permit2 message must list 1 to 100 token permits.')
    const spender = address(m.spender, 'spender')
    const sigDeadline = seconds(uint(m.sigDeadline, 'sigDeadline'))
    return Promise.all(
      list.map(async (d: unknown, i) => {
        if (!isRecord(d)) throw new InvalidArgumentError(`Permit2 details[${i}] must be an object.`)
        const amount = uint(d.amount, `details[${i}].amount`)
        const expiresAt = earliest(sigDeadline, seconds(uint(d.expiration, `details[${i}].expiration`)))
        return {
          kind: 'approval' as const,
          standard: 'permit2' as const,
          asset: await token(d.token),
          amount,
          unlimited: amount >= UINT160_MAX,
          to: spender,
          ...(expiresAt ? { expiresAt } : {}),
        }
      }),
    )
  }
  const single = p === 'PermitTransferFrom' || p === 'PermitWitnessTransferFrom'
  const batch = p === 'PermitBatchTransferFrom' || p === 'PermitBatchWitnessTransferFrom'
  if ((single || batch) && declares(data, p, single ? TRANSFER_FROM : BATCH_TRANSFER_FROM, p.includes('Witness'))) {
    if (!declares(data, 'TokenPermissions', TOKEN_PERMISSIONS)) return []
    sameChain()
    const list = batch ? m.permitted : [m.permitted]
    if (!Array.isArray(list) || list.length === 0 || list.length > 100)
      throw new InvalidArgumentError('The Permit2 message must list 1 to 100 token permissions.')
    const spender = address(m.spender, 'spender')
    const deadline = seconds(uint(m.deadline, 'deadline'))
    return Promise.all(
      list.map(async (t: unknown, i) => {
        if (!isRecord(t)) throw new InvalidArgumentError(`Permit2 permitted[${i}] must be an object.`)
        const amount = uint(t.amount, `permitted[${i}].amount`)
        // The spender picks the recipient when it transfers: an approval of one transfer.
        return {
          kind: 'approval' as const,
          standard: 'permit2' as const,
          asset: await token(t.token),
          amount,
          unlimited: amount === UINT256_MAX,
          to: spender,
          ...(deadline ? { expiresAt: deadline } : {}),
        }
      }),
    )
  }
  return []
}
