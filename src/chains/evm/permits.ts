/**
 * What a permit or EIP-3009 authorization needs from the token: its EIP-712 domain (EIP-5267
 * `eip712Domain()`, else `name()` and `version()`, "1" when absent) and the owner's permit nonce;
 * and the adapter's `signPermit` / `signTransferAuthorization`, which gather those facts and sign
 * with the helpers of `signing.ts`.
 * @module
 * @internal
 */
import { erc20Abi, getAddress, type Hex, type PublicClient } from 'viem'
import { assertOptions } from '../../core/assert.js'
import type { AssetId } from '../../core/caip.js'
import { InvalidArgumentError } from '../../core/errors.js'
import type { Signer } from '../../keys/signer.js'
import { rpc } from './client.js'
import type { EvmChain } from './networks.js'
import { evmSigner, signPermitWith, signTransferAuthorizationWith, type EvmSignature } from './signing.js'
import type { EvmAsset, TokenBook } from './tokens.js'
import { checkAddress, checkValue } from './validate.js'

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
  {
    type: 'function',
    name: 'nonces',
    stateMutability: 'view',
    inputs: [{ name: 'owner', type: 'address' }],
    outputs: [{ type: 'uint256' }],
  },
  { type: 'function', name: 'version', stateMutability: 'view', inputs: [], outputs: [{ type: 'string' }] },
] as const

/** A token's EIP-712 name and version. */
function tokenDomain(client: PublicClient, token: `0x${string}`): Promise<{ name: string; version: string }> {
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
function permitNonce(client: PublicClient, token: `0x${string}`, owner: `0x${string}`): Promise<bigint> {
  return rpc('Reading the permit nonce', () =>
    client.readContract({ address: token, abi: permitAbi, functionName: 'nonces', args: [owner] }),
  )
}

/** What a permit or authorization works with. */
export interface PermitContext {
  readonly chain: EvmChain
  readonly client: PublicClient
  readonly tokens: TokenBook
}

/** A token's address, from an address or a CAIP-19 id. @throws InvalidAddressError; InvalidArgumentError for the native coin; InvalidCaipIdError, UnknownAssetError */
async function tokenAddress(tokens: TokenBook, token: unknown): Promise<`0x${string}`> {
  if (typeof token === 'string' && token.startsWith('0x')) return checkAddress(token, 'token')
  const asset: EvmAsset = await tokens.get(token as AssetId)
  if (!asset.address) throw new InvalidArgumentError('The native coin has no permit; pass a token.')
  return asset.address
}

/**
 * EIP-2612 permit, with the token's domain and the owner's nonce read from the chain.
 * @throws InvalidAddressError; InvalidArgumentError; InvalidCaipIdError, UnknownAssetError; RpcError; what the signer throws
 */
export async function signPermit(
  ctx: PermitContext,
  signer: Signer,
  parameters: SignPermitParameters,
): Promise<EvmSignature & { nonce: bigint; deadline: bigint }> {
  const s = evmSigner(signer)
  const p = assertOptions(parameters)
  const token = await tokenAddress(ctx.tokens, p.token)
  const spender = checkAddress(p.spender, 'spender')
  const owner = getAddress(s.address)
  const [domain, nonce] = await Promise.all([tokenDomain(ctx.client, token), p.nonce ?? permitNonce(ctx.client, token, owner)])
  const deadline = p.deadline ?? BigInt(Math.floor(Date.now() / 1000) + 3600)
  const sig = await signPermitWith(s, {
    token,
    eip155Id: ctx.chain.id,
    ...domain,
    owner,
    spender,
    value: checkValue(p.value),
    nonce,
    deadline,
  })
  return { ...sig, nonce, deadline }
}

/**
 * EIP-3009 `transferWithAuthorization` (USDC), with the token's domain read from the chain.
 * @throws InvalidAddressError; InvalidArgumentError; InvalidCaipIdError, UnknownAssetError; RpcError; what the signer throws
 */
export async function signTransferAuthorization(ctx: PermitContext, signer: Signer, parameters: SignTransferAuthorizationParameters) {
  const s = evmSigner(signer)
  const p = assertOptions(parameters)
  const token = await tokenAddress(ctx.tokens, p.token)
  return signTransferAuthorizationWith(s, {
    token,
    eip155Id: ctx.chain.id,
    ...(await tokenDomain(ctx.client, token)),
    from: getAddress(s.address),
    to: checkAddress(p.to, 'to'),
    value: checkValue(p.value),
    ...(p.validAfter === undefined ? {} : { validAfter: p.validAfter }),
    validBefore: p.validBefore ?? BigInt(Math.floor(Date.now() / 1000) + 3600),
    ...(p.nonce === undefined ? {} : { nonce: p.nonce }),
  })
}
