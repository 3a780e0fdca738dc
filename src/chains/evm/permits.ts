/**
 * What a permit or EIP-3009 authorization needs from the token: its EIP-712 domain (EIP-5267
 * `eip712Domain()`, else `name()` and `version()`, "1" when absent) and the owner's permit nonce.
 * @module
 * @internal
 */
import { erc20Abi, type Hex, type PublicClient } from 'viem'
import type { AssetId } from '../../core/caip.js'
import { rpc } from './client.js'

/** Parameters of `signPermit`. */
export interface SignPermitParameters {
  /** Token: CAIP-19 id or address. */
  token: AssetId | `0x${string}`
  spender: `0x${string}`
  value: bigint
  /** Unix seconds; default one hour from now. */
  deadline?: bigint
  /** The owner's permit nonce; read from the token when omitted. */
  nonce?: bigint
}

/** Parameters of `signTransferAuthorization`. */
export interface SignTransferAuthorizationParameters {
  /** Token: CAIP-19 id or address (USDC, EURC, … implement EIP-3009). */
  token: AssetId | `0x${string}`
  to: `0x${string}`
  value: bigint
  validAfter?: bigint
  /** Unix seconds; default one hour from now. */
  validBefore?: bigint
  nonce?: Hex
}

const eip712DomainAbi = [
  {
    type: 'function',
    name: 'eip712Domain',
    stateMutability: 'view',
    inputs: [],
    outputs: [
      { name: 'fields', type: 'bytes1' },
      { name: 'name', type: 'string' },
      { name: 'version', type: 'string' },
      { name: 'chainId', type: 'uint256' },
      { name: 'verifyingContract', type: 'address' },
      { name: 'salt', type: 'bytes32' },
      { name: 'extensions', type: 'uint256[]' },
    ],
  },
] as const
const permitAbi = [
  { type: 'function', name: 'nonces', stateMutability: 'view', inputs: [{ name: 'owner', type: 'address' }], outputs: [{ type: 'uint256' }] },
  { type: 'function', name: 'version', stateMutability: 'view', inputs: [], outputs: [{ type: 'string' }] },
] as const


/** A token's EIP-712 name and version. */
export function tokenDomain(client: PublicClient, token: `0x${string}`): Promise<{ name: string; version: string }> {
  return rpc('Reading the token domain', async () => {
    try {
      const [, name, version] = await client.readContract({ address: token, abi: eip712DomainAbi, functionName: 'eip712Domain' })
      return { name, version }
    } catch {
      const [name, version] = await Promise.all([
        client.readContract({ address: token, abi: erc20Abi, functionName: 'name' }),
        client.readContract({ address: token, abi: permitAbi, functionName: 'version' }).catch(() => '1'),
      ])
      return { name, version }
    }
  })
}

/** The owner's current EIP-2612 nonce on the token. */
export function permitNonce(client: PublicClient, token: `0x${string}`, owner: `0x${string}`): Promise<bigint> {
  return rpc('Reading the permit nonce', () => client.readContract({ address: token, abi: permitAbi, functionName: 'nonces', args: [owner] }))
}
