/**
 * ERC-4337 v0.8 UserOperations: the unpacked form bundlers speak (`eth_sendUserOperation`), its
 * packed form (PackedUserOperation: gas limits and fees two to a word, the paymaster fields
 * concatenated), and the hash an account signs — v0.8 makes it EIP-712 typed data
 * (`PackedUserOperation` under the domain `{ name: "ERC4337", version: "1", chainId,
 * verifyingContract: entryPoint }`), checked and hashed here like any typed data, then signed
 * by a coffer signer. Byte-identical to viem's `getUserOperationHash` (the test's oracle).
 *
 * Accounts made through `factory` / `factoryData` are covered, and so is v0.8's EIP-7702
 * marker: `factory: '0x7702'` with a signed `eip7702Auth` delegates the EOA inside the operation
 * (the bundler carries the authorization in its type-4 transaction, so an account with no ETH
 * can be delegated). The hash then covers the delegate in place of the marker, as the
 * EntryPoint computes it.
 * @module
 */
import type { Hex, TypedDataDefinition } from 'viem'
import { describe } from '../../core/assert.js'
import { InvalidArgumentError } from '../../core/errors.js'
import { isValidEvmAddress, toChecksumAddress } from '../../keys/address/evm.js'
import type { Signer } from '../../keys/signer.js'
import type { SignedAuthorization } from './eip7702.js'
import { signTypedData, type EvmSignature } from './signing.js'

/** A v0.8 UserOperation as bundlers take it (ERC-7769 JSON-RPC, with bigints for quantities). */
export interface UserOperation {
  readonly sender: `0x${string}`
  readonly nonce: bigint
  readonly factory?: `0x${string}`
  readonly factoryData?: Hex
  readonly callData: Hex
  readonly callGasLimit: bigint
  readonly verificationGasLimit: bigint
  readonly preVerificationGas: bigint
  readonly maxFeePerGas: bigint
  readonly maxPriorityFeePerGas: bigint
  readonly paymaster?: `0x${string}`
  readonly paymasterVerificationGasLimit?: bigint
  readonly paymasterPostOpGasLimit?: bigint
  readonly paymasterData?: Hex
  readonly signature?: Hex
  /** With `factory: '0x7702'`: the EOA's signed EIP-7702 authorization (the delegate this operation installs). */
  readonly eip7702Auth?: SignedAuthorization
}

/** The on-chain form (`PackedUserOperation`, without the signature). */
export interface PackedUserOperation {
  readonly sender: `0x${string}`
  readonly nonce: bigint
  readonly initCode: Hex
  readonly callData: Hex
  readonly accountGasLimits: Hex
  readonly preVerificationGas: bigint
  readonly gasFees: Hex
  readonly paymasterAndData: Hex
}

/** Where an operation is valid: the chain and its EntryPoint v0.8. */
export interface UserOperationDomain {
  readonly chainId: number
  readonly entryPoint: `0x${string}`
}

const HEX = /^0x(?:[0-9a-fA-F]{2})*$/
const UINT128 = 2n ** 128n
const UINT256 = 2n ** 256n
/** The factory EntryPoint v0.8 reads as "this EOA is delegated under EIP-7702" (`0x7702`, padded to 20 bytes in initCode). */
const EIP7702_FACTORY = /^0x7702(?:0{36})?$/i
/** `0x7702` as the 20 bytes initCode starts with. */
const EIP7702_INITCODE_MARKER = `0x7702${'0'.repeat(36)}` as const

const fail = (field: string, value: unknown, what: string): never => {
  throw new InvalidArgumentError(`UserOperation.${field} must be ${what}, got ${describe(value)}.`)
}

function quantity(op: Record<string, unknown>, field: string, limit: bigint, optional = false): bigint {
  const value = op[field]
  if (value === undefined && optional) return 0n
  if (typeof value !== 'bigint' || value < 0n || value >= limit)
    fail(field, value, `a bigint from 0 to 2^${limit === UINT128 ? 128 : 256} − 1`)
  return value as bigint
}

function bytes(op: Record<string, unknown>, field: string, optional = false): Hex {
  const value = op[field]
  if (value === undefined && optional) return '0x'
  if (typeof value !== 'string' || !HEX.test(value)) fail(field, value, '0x and whole bytes of hex')
  return (value as string).toLowerCase() as Hex
}

function address(op: Record<string, unknown>, field: string): `0x${string}` | undefined {
  const value = op[field]
  if (value === undefined) return undefined
  if (field === 'factory' && typeof value === 'string' && EIP7702_FACTORY.test(value)) return EIP7702_INITCODE_MARKER
  if (typeof value !== 'string' || !isValidEvmAddress(value)) fail(field, value, 'an EVM address')
  return toChecksumAddress(value as string)
}

const word16 = (n: bigint) => n.toString(16).padStart(32, '0')

/** Checks an operation and packs it. @throws InvalidArgumentError */
export function packUserOperation(userOperation: UserOperation): PackedUserOperation {
  if (!userOperation || typeof userOperation !== 'object')
    throw new InvalidArgumentError(`A UserOperation is an object, got ${describe(userOperation)}.`)
  const op = userOperation as unknown as Record<string, unknown>
  const sender = address(op, 'sender')
  if (!sender) return fail('sender', op.sender, 'an EVM address')
  const factory = address(op, 'factory')
  const factoryData = bytes(op, 'factoryData', true)
  if (!factory && factoryData !== '0x') fail('factoryData', op.factoryData, 'absent without a factory')
  const initCode = factory ? (`${factory.toLowerCase()}${factoryData.slice(2)}` as Hex) : '0x'
  const marker = factory === EIP7702_INITCODE_MARKER
  if (marker !== (op.eip7702Auth !== undefined))
    fail('eip7702Auth', op.eip7702Auth, marker ? "the signed authorization with factory '0x7702'" : "absent without factory '0x7702'")
  if (marker) checkAuth(op.eip7702Auth, sender)
  const paymaster = address(op, 'paymaster')
  const paymasterFields = [
    quantity(op, 'paymasterVerificationGasLimit', UINT128, true),
    quantity(op, 'paymasterPostOpGasLimit', UINT128, true),
  ] as const
  const paymasterData = bytes(op, 'paymasterData', true)
  if (!paymaster && (paymasterFields.some((n) => n !== 0n) || paymasterData !== '0x'))
    fail('paymaster', op.paymaster, 'given when the paymaster fields are')
  const maxFeePerGas = quantity(op, 'maxFeePerGas', UINT128)
  const maxPriorityFeePerGas = quantity(op, 'maxPriorityFeePerGas', UINT128)
  if (maxPriorityFeePerGas > maxFeePerGas) fail('maxPriorityFeePerGas', op.maxPriorityFeePerGas, 'at most maxFeePerGas')
  return {
    sender,
    nonce: quantity(op, 'nonce', UINT256),
    initCode,
    callData: bytes(op, 'callData'),
    accountGasLimits: `0x${word16(quantity(op, 'verificationGasLimit', UINT128))}${word16(quantity(op, 'callGasLimit', UINT128))}`,
    preVerificationGas: quantity(op, 'preVerificationGas', UINT256),
    gasFees: `0x${word16(maxPriorityFeePerGas)}${word16(maxFeePerGas)}`,
    paymasterAndData: paymaster
      ? (`${paymaster.toLowerCase()}${word16(paymasterFields[0])}${word16(paymasterFields[1])}${paymasterData.slice(2)}` as Hex)
      : '0x',
  }
}

/** The authorization a marker operation carries: well-formed (its signature is the bundler's and the chain's to check). */
function checkAuth(value: unknown, sender: `0x${string}`): void {
  const a = value as Partial<SignedAuthorization> | null
  const word = /^0x[0-9a-fA-F]{1,64}$/
  if (
    !a ||
    typeof a !== 'object' ||
    typeof a.address !== 'string' ||
    !isValidEvmAddress(a.address) ||
    !Number.isSafeInteger(a.chainId) ||
    !Number.isSafeInteger(a.nonce) ||
    (a.yParity !== 0 && a.yParity !== 1) ||
    typeof a.r !== 'string' ||
    !word.test(a.r) ||
    typeof a.s !== 'string' ||
    !word.test(a.s)
  )
    fail('eip7702Auth', value, `a signed authorization of ${sender} ({ chainId, address, nonce, yParity, r, s })`)
}

/** The initCode the userOpHash covers: the delegate in place of the EIP-7702 marker. */
function hashedInitCode(packed: PackedUserOperation, op: UserOperation): Hex {
  if (!op.eip7702Auth || !packed.initCode.startsWith(EIP7702_INITCODE_MARKER)) return packed.initCode
  return `${op.eip7702Auth.address.toLowerCase()}${packed.initCode.slice(42)}` as Hex
}

function checkDomain(domain: UserOperationDomain): UserOperationDomain {
  const d = domain as Partial<UserOperationDomain> | null
  if (!d || typeof d !== 'object' || !Number.isSafeInteger(d.chainId) || (d.chainId as number) < 1)
    throw new InvalidArgumentError('domain.chainId must be the chain id (an integer ≥ 1).')
  if (typeof d.entryPoint !== 'string' || !isValidEvmAddress(d.entryPoint))
    throw new InvalidArgumentError(`domain.entryPoint must be the EntryPoint v0.8 address, got ${describe(d.entryPoint)}.`)
  return { chainId: d.chainId as number, entryPoint: toChecksumAddress(d.entryPoint) }
}

/** The EIP-712 typed data of an operation (what v0.8 accounts sign). @throws InvalidArgumentError */
export function userOperationTypedData(userOperation: UserOperation, domain: UserOperationDomain): TypedDataDefinition {
  const d = checkDomain(domain)
  const packed = packUserOperation(userOperation)
  return {
    domain: { name: 'ERC4337', version: '1', chainId: d.chainId, verifyingContract: d.entryPoint },
    types: {
      PackedUserOperation: [
        { name: 'sender', type: 'address' },
        { name: 'nonce', type: 'uint256' },
        { name: 'initCode', type: 'bytes' },
        { name: 'callData', type: 'bytes' },
        { name: 'accountGasLimits', type: 'bytes32' },
        { name: 'preVerificationGas', type: 'uint256' },
        { name: 'gasFees', type: 'bytes32' },
        { name: 'paymasterAndData', type: 'bytes' },
      ],
    },
    primaryType: 'PackedUserOperation',
    message: { ...packed, initCode: hashedInitCode(packed, userOperation) },
  } as TypedDataDefinition
}

/**
 * Signs an operation's hash (its EIP-712 digest) with an EVM signer: the signature a v0.8
 * account such as Simple7702Account checks against its owner. Returns it with the hash
 * (`digest`: the userOpHash bundlers report).
 * @throws InvalidArgumentError; VaultLockedError / KeyWipedError; SignatureVerificationError
 */
export async function signUserOperation(signer: Signer, userOperation: UserOperation, domain: UserOperationDomain): Promise<EvmSignature> {
  return signTypedData(signer, userOperationTypedData(userOperation, domain))
}
