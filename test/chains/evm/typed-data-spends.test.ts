/**
 * Recognising EIP-712 messages that move tokens: EIP-2612 and DAI permits, EIP-3009
 * authorizations and Uniswap Permit2, by their exact struct definitions (EIP-2612, EIP-3009,
 * MakerDAO `Dai.sol`, Uniswap `PermitHash.sol`). Token metadata comes from a stub lookup.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from 'coffer'
import type { AssetInfo } from 'coffer'
import { typedDataSpends } from '../../../src/chains/evm/typed-data-spends.js'

const TOKEN = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'
const OTHER = '0xdAC17F958D2ee523a2206206994597C13D831ec7'
const OWNER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const SPENDER = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
const PERMIT2 = '0x000000000022D473030F116dDEE9F6B43aC78BA3'
const MAX256 = 2n ** 256n - 1n

const lookup = async (id: string): Promise<AssetInfo> => ({
  id: id as AssetInfo['id'],
  chainId: 'eip155:1',
  symbol: id.toLowerCase().endsWith(TOKEN.toLowerCase()) ? 'USDC' : 'USDT',
  name: 'token',
  decimals: 6,
  kind: 'token',
})
const spends = (typedData: unknown) => typedDataSpends(typedData, 1, lookup as never)

const permit = (
  message: Record<string, unknown>,
  domain: Record<string, unknown> = { name: 'USD Coin', version: '2', chainId: 1, verifyingContract: TOKEN },
) => ({
  domain,
  types: {
    EIP712Domain: [{ name: 'name', type: 'string' }],
    Permit: [
      { name: 'owner', type: 'address' },
      { name: 'spender', type: 'address' },
      { name: 'value', type: 'uint256' },
      { name: 'nonce', type: 'uint256' },
      { name: 'deadline', type: 'uint256' },
    ],
  },
  primaryType: 'Permit',
  message: { owner: OWNER, spender: SPENDER, value: 5_000_000n, nonce: 0n, deadline: 1_900_000_000n, ...message },
})

const permitDetails = [
  { name: 'token', type: 'address' },
  { name: 'amount', type: 'uint160' },
  { name: 'expiration', type: 'uint48' },
  { name: 'nonce', type: 'uint48' },
]
const tokenPermissions = [
  { name: 'token', type: 'address' },
  { name: 'amount', type: 'uint256' },
]

describe('typedDataSpends', () => {
  it('EIP-2612: an approval of value to the spender, from the owner, until the deadline; amounts as bigint, number, decimal or hex strings', async () => {
    expect(await spends(permit({}))).toEqual([
      {
        kind: 'approval',
        standard: 'eip-2612',
        asset: expect.objectContaining({ id: `eip155:1/erc20:${TOKEN.toLowerCase()}`, symbol: 'USDC' }),
        amount: 5_000_000n,
        unlimited: false,
        from: OWNER,
        to: SPENDER,
        expiresAt: 1_900_000_000,
      },
    ])
    for (const value of [5_000_000, '5000000', '0x4c4b40']) expect((await spends(permit({ value })))[0]?.amount).toBe(5_000_000n)
    // Lower-case addresses are checksummed; a deadline of 2^256 - 1 means never.
    const [never] = await spends(permit({ value: MAX256, deadline: MAX256, spender: SPENDER.toLowerCase() }))
    expect(never).toMatchObject({ unlimited: true, amount: MAX256, to: SPENDER })
    expect(never?.expiresAt).toBeUndefined()
  })

  it('DAI: allowed = true is an unlimited approval; allowed = false revokes and moves nothing', async () => {
    const dai = (allowed: unknown) => ({
      domain: { name: 'Dai Stablecoin', version: '1', chainId: 1, verifyingContract: OTHER },
      types: {
        Permit: [
          { name: 'holder', type: 'address' },
          { name: 'spender', type: 'address' },
          { name: 'nonce', type: 'uint256' },
          { name: 'expiry', type: 'uint256' },
          { name: 'allowed', type: 'bool' },
        ],
      },
      primaryType: 'Permit',
      message: { holder: OWNER, spender: SPENDER, nonce: 0, expiry: 0, allowed },
    })
    expect(await spends(dai(true))).toEqual([
      {
        kind: 'approval',
        standard: 'dai-permit',
        asset: expect.objectContaining({ symbol: 'USDT' }),
        amount: MAX256,
        unlimited: true,
        from: OWNER,
        to: SPENDER,
      },
    ])
    expect(await spends(dai(false))).toEqual([])
  })

  it('EIP-3009: TransferWithAuthorization and ReceiveWithAuthorization are transfers to `to`', async () => {
    for (const primaryType of ['TransferWithAuthorization', 'ReceiveWithAuthorization']) {
      const data = {
        domain: { name: 'USD Coin', version: '2', chainId: 1n, verifyingContract: TOKEN },
        types: {
          [primaryType]: [
            { name: 'from', type: 'address' },
            { name: 'to', type: 'address' },
            { name: 'value', type: 'uint256' },
            { name: 'validAfter', type: 'uint256' },
            { name: 'validBefore', type: 'uint256' },
            { name: 'nonce', type: 'bytes32' },
          ],
        },
        primaryType,
        message: { from: OWNER, to: SPENDER, value: 7n, validAfter: 0n, validBefore: 1_900_000_000n, nonce: `0x${'11'.repeat(32)}` },
      }
      expect(await spends(data)).toEqual([
        {
          kind: 'transfer',
          standard: 'eip-3009',
          asset: expect.objectContaining({ symbol: 'USDC' }),
          amount: 7n,
          unlimited: false,
          from: OWNER,
          to: SPENDER,
          expiresAt: 1_900_000_000,
        },
      ])
    }
  })

  it('Permit2 allowance transfer: PermitSingle and PermitBatch, unlimited at 2^160 - 1, expiring at the earlier of sigDeadline and expiration', async () => {
    const domain = { name: 'Permit2', chainId: 1, verifyingContract: PERMIT2 }
    const single = {
      domain,
      types: {
        PermitSingle: [
          { name: 'details', type: 'PermitDetails' },
          { name: 'spender', type: 'address' },
          { name: 'sigDeadline', type: 'uint256' },
        ],
        PermitDetails: permitDetails,
      },
      primaryType: 'PermitSingle',
      message: {
        details: { token: TOKEN, amount: 2n ** 160n - 1n, expiration: 1_800_000_000, nonce: 0 },
        spender: SPENDER,
        sigDeadline: 1_900_000_000n,
      },
    }
    expect(await spends(single)).toEqual([
      {
        kind: 'approval',
        standard: 'permit2',
        asset: expect.objectContaining({ symbol: 'USDC' }),
        amount: 2n ** 160n - 1n,
        unlimited: true,
        to: SPENDER,
        expiresAt: 1_800_000_000,
      },
    ])
    const batch = {
      domain,
      types: {
        PermitBatch: [
          { name: 'details', type: 'PermitDetails[]' },
          { name: 'spender', type: 'address' },
          { name: 'sigDeadline', type: 'uint256' },
        ],
        PermitDetails: permitDetails,
      },
      primaryType: 'PermitBatch',
      message: {
        details: [
          { token: TOKEN, amount: 1n, expiration: 0, nonce: 0 },
          { token: OTHER, amount: 2n, expiration: 0, nonce: 0 },
        ],
        spender: SPENDER,
        sigDeadline: 1_900_000_000n,
      },
    }
    expect((await spends(batch)).map((s) => [s.asset.symbol, s.amount, s.unlimited])).toEqual([
      ['USDC', 1n, false],
      ['USDT', 2n, false],
    ])
  })

  it('Permit2 signature transfer: PermitTransferFrom, the batch, and the witness variants', async () => {
    const domain = { name: 'Permit2', chainId: 1, verifyingContract: PERMIT2 }
    const fields = (permitted: string) => [
      { name: 'permitted', type: permitted },
      { name: 'spender', type: 'address' },
      { name: 'nonce', type: 'uint256' },
      { name: 'deadline', type: 'uint256' },
    ]
    const witness = { name: 'witness', type: 'ExclusiveDutchOrder' }
    const cases = [
      ['PermitTransferFrom', fields('TokenPermissions'), { token: TOKEN, amount: 3n }],
      ['PermitWitnessTransferFrom', [...fields('TokenPermissions'), witness], { token: TOKEN, amount: 3n }],
      ['PermitBatchTransferFrom', fields('TokenPermissions[]'), [{ token: TOKEN, amount: 3n }]],
      ['PermitBatchWitnessTransferFrom', [...fields('TokenPermissions[]'), witness], [{ token: TOKEN, amount: 3n }]],
    ] as const
    for (const [primaryType, declared, permitted] of cases) {
      const data = {
        domain,
        types: { [primaryType]: declared, TokenPermissions: tokenPermissions, ExclusiveDutchOrder: [{ name: 'x', type: 'uint256' }] },
        primaryType,
        message: { permitted, spender: SPENDER, nonce: 1n, deadline: 1_900_000_000n, witness: { x: 1n } },
      }
      expect(await spends(data), primaryType).toEqual([
        {
          kind: 'approval',
          standard: 'permit2',
          asset: expect.objectContaining({ symbol: 'USDC' }),
          amount: 3n,
          unlimited: false,
          to: SPENDER,
          expiresAt: 1_900_000_000,
        },
      ])
    }
  })

  it('look-alikes authorise nothing: another field list, another name, an ordinary message', async () => {
    const renamed = permit({})
    const lookAlike = {
      ...renamed,
      types: { Permit: [...renamed.types.Permit.slice(0, 2), { name: 'amount', type: 'uint256' }, ...renamed.types.Permit.slice(3)] },
    }
    expect(await spends(lookAlike)).toEqual([])
    expect(await spends({ ...renamed, primaryType: 'Approval', types: { Approval: renamed.types.Permit } })).toEqual([])
    expect(
      await spends({
        domain: {},
        types: { Mail: [{ name: 'contents', type: 'string' }] },
        primaryType: 'Mail',
        message: { contents: 'hi' },
      }),
    ).toEqual([])
    expect(await spends(null)).toEqual([])
  })

  it('refuses a permit of another chain, and malformed fields of a recognised standard', async () => {
    await expect(spends(permit({}, { name: 'USD Coin', version: '2', chainId: 137, verifyingContract: TOKEN }))).rejects.toThrow(
      /moves tokens on chain 137, not 1/,
    )
    await expect(spends(permit({ value: -1 }))).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(spends(permit({ value: 1.5 }))).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(spends(permit({ spender: 'nobody' }))).rejects.toThrow(/spender must be an address/)
    await expect(spends(permit({}, { chainId: 1 }))).rejects.toThrow(/token must be an address/)
  })

  it('never throws anything but InvalidArgumentError, whatever the message holds (property)', async () => {
    const base = permit({})
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('owner', 'spender', 'value', 'nonce', 'deadline'), fc.anything()),
        fc.anything(),
        async (message, chainId) => {
          try {
            await spends({ ...base, domain: { ...base.domain, chainId }, message })
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidArgumentError)
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})
