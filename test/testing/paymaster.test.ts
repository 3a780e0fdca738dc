/**
 * The token paymaster harness (test/support/paymaster.ts): TestTokenPaymaster
 * (test/fixtures/evm/TokenPaymaster.sol) on a local anvil and the ERC-7677 service in front of it,
 * checked against the contract (quoteHash) and, as an independent oracle, viem's
 * account-abstraction clients through alto: an EOA with 0 ETH and 50 USDT is delegated to
 * Simple7702Account by the UserOperation itself (eip7702Auth, put in alto's type-4 transaction)
 * and pays its gas in USDT.
 */
import {
  createBundlerClient,
  createPaymasterClient,
  entryPoint08Abi,
  formatUserOperationRequest,
  toSimple7702SmartAccount,
} from 'viem/account-abstraction'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import {
  concat,
  createPublicClient,
  encodeFunctionData,
  erc20Abi,
  http,
  numberToHex,
  parseEventLogs,
  recoverMessageAddress,
  slice,
  toHex,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LocalChain } from 'coffer/testing'
import { testTokenPaymasterAbi } from '../fixtures/evm/abis.js'
import { ENTRY_POINT_V08, SIMPLE_7702_V08, type LocalBundler } from '../../src/testing/evm/bundler.js'
import {
  decodePaymasterData,
  paymasterQuoteHash,
  PAYMASTER_POST_OP_GAS_LIMIT,
  PAYMASTER_VERIFICATION_GAS_LIMIT,
  STUB_SIGNATURE,
  type DeployedTokenPaymaster,
} from '../../src/testing/evm/paymaster.js'
import type { PaymasterService } from '../../src/testing/evm/paymaster-service.js'
import { startSponsoredChain, type SponsoredChain } from '../../src/testing/evm/sponsor.js'

/** USDT base units per 1e18 wei: 3,000 USDT per ETH. */
const RATE = 3_000_000_000n
const POST_OP_GAS = 60_000n
const ceilDiv = (a: bigint, b: bigint) => (a === 0n ? 0n : (a - 1n) / b + 1n)

describe('token paymaster harness: TestTokenPaymaster + ERC-7677 service, through alto', () => {
  let local: LocalChain<'USDT'>
  let bundler: LocalBundler
  let paymaster: DeployedTokenPaymaster
  let service: PaymasterService
  let rpc: PublicClient
  let usdt: Address
  let sponsored: SponsoredChain
  beforeAll(async () => {
    sponsored = await startSponsoredChain(RATE, POST_OP_GAS)
    ;({ local, bundler, paymaster, service } = sponsored)
    usdt = local.tokens.USDT.address
    rpc = createPublicClient({ chain: local.chain, transport: http(local.rpcUrl) }) as PublicClient
  }, 120_000)
  afterAll(async () => {
    await sponsored?.stop()
  })

  const rpcCall = async (body: unknown) => {
    const response = await fetch(service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return response.json() as Promise<any>
  }
  const usdtOf = (who: Address) => rpc.readContract({ address: usdt, abi: erc20Abi, functionName: 'balanceOf', args: [who] })
  const depositOf = () => rpc.readContract({ address: paymaster.address, abi: testTokenPaymasterAbi, functionName: 'getDeposit' })
  const chainIdHex = () => numberToHex(local.chain.id)

  it('the service signs the contract quoteHash (EIP-191) with the signer the contract trusts', async () => {
    expect(await depositOf()).toBe(10n ** 19n)
    const userOp = {
      sender: '0x00000000000000000000000000000000000a11ce' as Address,
      nonce: (123n << 64n) | 7n,
      callData: '0xdeadbeef' as Hex,
      callGasLimit: 91_000n,
      verificationGasLimit: 72_000n,
      preVerificationGas: 50_001n,
      maxFeePerGas: 3_000_000_007n,
      maxPriorityFeePerGas: 1_000_000_003n,
      paymasterVerificationGasLimit: PAYMASTER_VERIFICATION_GAS_LIMIT,
      paymasterPostOpGasLimit: PAYMASTER_POST_OP_GAS_LIMIT,
    }
    const rpcOp = {
      sender: userOp.sender,
      nonce: toHex(userOp.nonce),
      callData: userOp.callData,
      callGasLimit: toHex(userOp.callGasLimit),
      verificationGasLimit: toHex(userOp.verificationGasLimit),
      preVerificationGas: toHex(userOp.preVerificationGas),
      maxFeePerGas: toHex(userOp.maxFeePerGas),
      maxPriorityFeePerGas: toHex(userOp.maxPriorityFeePerGas),
      paymasterVerificationGasLimit: toHex(userOp.paymasterVerificationGasLimit),
      paymasterPostOpGasLimit: toHex(userOp.paymasterPostOpGasLimit),
      signature: '0x',
    }
    const reply = await rpcCall({
      jsonrpc: '2.0',
      id: 1,
      method: 'pm_getPaymasterData',
      params: [rpcOp, ENTRY_POINT_V08, chainIdHex(), { token: usdt }],
    })
    expect(reply.result.paymaster).toBe(paymaster.address)
    const { quote, signature } = decodePaymasterData(reply.result.paymasterData)
    expect(quote).toMatchObject({ token: usdt, exchangeRate: RATE, postOpGas: POST_OP_GAS, validAfter: 0 })
    expect(quote.validUntil).toBeGreaterThan(Date.now() / 1000 + 500)
    const paymasterAndData = concat([
      paymaster.address,
      toHex(userOp.paymasterVerificationGasLimit, { size: 16 }),
      toHex(userOp.paymasterPostOpGasLimit, { size: 16 }),
      reply.result.paymasterData,
    ]) as Hex
    expect((paymasterAndData.length - 2) / 2).toBe(197)
    const onChain = await rpc.readContract({
      address: paymaster.address,
      abi: testTokenPaymasterAbi,
      functionName: 'quoteHash',
      args: [
        {
          sender: userOp.sender,
          nonce: userOp.nonce,
          initCode: '0x',
          callData: userOp.callData,
          accountGasLimits: toHex((userOp.verificationGasLimit << 128n) | userOp.callGasLimit, { size: 32 }),
          preVerificationGas: userOp.preVerificationGas,
          gasFees: toHex((userOp.maxPriorityFeePerGas << 128n) | userOp.maxFeePerGas, { size: 32 }),
          paymasterAndData,
          signature: '0x',
        },
        quote.token,
        quote.exchangeRate,
        quote.postOpGas,
        quote.validUntil,
        quote.validAfter,
      ],
    })
    expect(onChain).toBe(paymasterQuoteHash(userOp, local.chain.id, paymaster.address, quote))
    expect(await recoverMessageAddress({ message: { raw: onChain }, signature })).toBe(paymaster.signer)
  })

  it('stub data: the contract returns sigFailed (no revert) for the stub signature; a wrong length reverts', async () => {
    const sender = privateKeyToAccount(generatePrivateKey()).address
    await local.fund(sender, { USDT: '5' })
    const rpcOp = { sender, nonce: '0x0', callData: '0x', maxFeePerGas: '0x3b9aca00', maxPriorityFeePerGas: '0x3b9aca00', signature: '0x' }
    const reply = await rpcCall({
      jsonrpc: '2.0',
      id: 1,
      method: 'pm_getPaymasterStubData',
      params: [rpcOp, ENTRY_POINT_V08, chainIdHex(), { token: usdt }],
    })
    expect(reply.result).toMatchObject({
      paymaster: paymaster.address,
      paymasterVerificationGasLimit: toHex(PAYMASTER_VERIFICATION_GAS_LIMIT),
      paymasterPostOpGasLimit: toHex(PAYMASTER_POST_OP_GAS_LIMIT),
      isFinal: false,
    })
    const { quote, signature } = decodePaymasterData(reply.result.paymasterData)
    expect(signature).toBe(STUB_SIGNATURE)
    const packed = (paymasterData: Hex) => ({
      sender,
      nonce: 0n,
      initCode: '0x' as Hex,
      callData: '0x' as Hex,
      accountGasLimits: toHex((100_000n << 128n) | 100_000n, { size: 32 }),
      preVerificationGas: 50_000n,
      gasFees: toHex(((10n ** 9n) << 128n) | (10n ** 9n), { size: 32 }),
      paymasterAndData: concat([
        paymaster.address,
        toHex(PAYMASTER_VERIFICATION_GAS_LIMIT, { size: 16 }),
        toHex(PAYMASTER_POST_OP_GAS_LIMIT, { size: 16 }),
        paymasterData,
      ]) as Hex,
      signature: '0x' as Hex,
    })
    const validate = (paymasterData: Hex, maxCost: bigint) =>
      rpc.readContract({
        account: ENTRY_POINT_V08,
        address: paymaster.address,
        abi: testTokenPaymasterAbi,
        functionName: 'validatePaymasterUserOp',
        args: [packed(paymasterData), `0x${'00'.repeat(32)}`, maxCost],
      })
    const [context, validationData] = await validate(reply.result.paymasterData, 10n ** 15n)
    expect(validationData & ((1n << 160n) - 1n)).toBe(1n) // sigFailed
    expect(validationData >> 160n).toBe(BigInt(quote.validUntil)) // validAfter 0
    expect(context.length).toBe(2 + 4 * 64)
    // Too short: reverts (not a signature failure).
    await expect(validate(slice(reply.result.paymasterData as Hex, 0, 144), 10n ** 15n)).rejects.toThrow(/197 bytes/)
    // The sender's 5 USDT do not cover 1 ETH of gas at 3,000 USDT/ETH: reverts.
    await expect(validate(reply.result.paymasterData, 10n ** 18n)).rejects.toThrow(/token balance/)
  })

  it('answers JSON-RPC 2.0: batches, quotes, and errors for unknown methods and bad params', async () => {
    const replies = await rpcCall([
      { jsonrpc: '2.0', id: 1, method: 'pimlico_getTokenQuotes', params: [{ tokens: [usdt] }, ENTRY_POINT_V08, chainIdHex()] },
      { jsonrpc: '2.0', id: 2, method: 'eth_chainId', params: [] },
      {
        jsonrpc: '2.0',
        id: 3,
        method: 'pm_getPaymasterStubData',
        params: [{}, '0x0000000071727De22E5E9d8BAf0edAc6f37da032', chainIdHex(), { token: usdt }],
      },
      { jsonrpc: '2.0', id: 4, method: 'pimlico_getTokenQuotes', params: [{ tokens: [usdt] }, ENTRY_POINT_V08, '0x1'] },
      { jsonrpc: '2.0', id: 5, method: 'pimlico_getTokenQuotes', params: [{ tokens: [ENTRY_POINT_V08] }, ENTRY_POINT_V08, chainIdHex()] },
    ])
    expect(replies[0]).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: {
        quotes: [
          {
            paymaster: paymaster.address,
            token: usdt,
            postOpGas: toHex(POST_OP_GAS),
            exchangeRate: toHex(RATE),
            exchangeRateNativeToUsd: toHex(RATE),
          },
        ],
      },
    })
    expect(replies.slice(1).map((r: any) => [r.id, r.error?.code])).toEqual([
      [2, -32601],
      [3, -32602],
      [4, -32602],
      [5, -32602],
    ])
  })

  it('viem + alto: an EOA with 0 ETH is delegated by its UserOperation (eip7702Auth) and pays the gas in USDT', async () => {
    const owner = privateKeyToAccount(generatePrivateKey())
    await local.fund(owner.address, { USDT: '50' })
    expect(await rpc.getBalance({ address: owner.address })).toBe(0n)
    expect(await rpc.getCode({ address: owner.address })).toBeUndefined()
    const recipient: Address = '0x000000000000000000000000000000000000b0b1'
    const account = await toSimple7702SmartAccount({ client: rpc, owner })
    const bundlerClient = createBundlerClient({
      client: rpc,
      transport: http(bundler.url),
      paymaster: createPaymasterClient({ transport: http(service.url) }),
      paymasterContext: { token: usdt },
    })
    const [treasuryBefore, depositBefore] = [await usdtOf(paymaster.treasury), await depositOf()]
    service.calls.length = 0
    // viem fills `authorization` for an undelegated 7702 account with a placeholder signature (for
    // gas estimation only): the owner signs the real one, for its current nonce (0).
    const authorization = await owner.signAuthorization({
      address: SIMPLE_7702_V08,
      chainId: local.chain.id,
      nonce: await rpc.getTransactionCount({ address: owner.address }),
    })
    const hash = await bundlerClient.sendUserOperation({
      account,
      authorization,
      calls: [
        // approve first (the fee is taken in postOp, after the calls); USDT: from 0 to non-zero
        { to: usdt, data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [paymaster.address, 5_000_000n] }) },
        { to: usdt, data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [recipient, 10_000_000n] }) },
      ],
    })
    expect(service.calls).toEqual(['pm_getPaymasterStubData', 'pm_getPaymasterData'])
    const receipt = await bundlerClient.waitForUserOperationReceipt({ hash, timeout: 30_000 })
    expect(receipt.success).toBe(true)
    expect(receipt.paymaster).toBe(paymaster.address)

    // The transfer landed, the EOA still has no ETH and is now delegated to Simple7702Account.
    expect(await usdtOf(recipient)).toBe(10_000_000n)
    expect(await rpc.getBalance({ address: owner.address })).toBe(0n)
    expect((await rpc.getCode({ address: owner.address }))?.toLowerCase()).toBe(`0xef0100${SIMPLE_7702_V08.slice(2).toLowerCase()}`)

    // The charge: what TokenCharged says went to the treasury, at the quoted rate.
    const logs = receipt.receipt.logs
    const [charged] = parseEventLogs({ abi: testTokenPaymasterAbi, logs, eventName: 'TokenCharged' })
    const [event] = parseEventLogs({ abi: entryPoint08Abi, logs, eventName: 'UserOperationEvent' })
    if (!charged || !event) throw new Error('TokenCharged or UserOperationEvent missing')
    expect(event.args.actualGasCost).toBe(receipt.actualGasCost)
    expect(charged.args).toMatchObject({ sender: owner.address, token: usdt })
    const gasPrice = event.args.actualGasCost / event.args.actualGasUsed
    expect(gasPrice * event.args.actualGasUsed).toBe(event.args.actualGasCost)
    // postOp sees the cost before its own gas (and before the unused-gas penalties): less than the event's.
    expect(charged.args.actualGasCost).toBeLessThan(event.args.actualGasCost)
    expect(charged.args.actualGasCost % gasPrice).toBe(0n)
    expect(charged.args.charge).toBe(ceilDiv((charged.args.actualGasCost + POST_OP_GAS * gasPrice) * RATE, 10n ** 18n))
    expect(charged.args.charge).toBeGreaterThan(0n)
    expect(await usdtOf(paymaster.treasury)).toBe(treasuryBefore + charged.args.charge)
    expect(await usdtOf(owner.address)).toBe(50_000_000n - 10_000_000n - charged.args.charge)
    expect(
      await rpc.readContract({ address: usdt, abi: erc20Abi, functionName: 'allowance', args: [owner.address, paymaster.address] }),
    ).toBe(5_000_000n - charged.args.charge)
    // The paymaster's EntryPoint deposit paid the gas.
    expect(await depositOf()).toBe(depositBefore - event.args.actualGasCost)

    // A UserOperation whose paymaster signature was tampered with: alto refuses it (AA34), nothing moves.
    const { account: _a, ...prepared } = await bundlerClient.prepareUserOperation({
      account,
      calls: [{ to: usdt, data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [recipient, 1_000_000n] }) }],
    })
    expect(prepared.authorization).toBeUndefined() // already delegated
    const data = prepared.paymasterData as Hex
    const flipped = (Number.parseInt(data.slice(-4, -2), 16) ^ 0x01).toString(16).padStart(2, '0')
    const tampered = `${slice(data, 0, 143)}${flipped}${data.slice(-2)}` as Hex // last byte of s
    expect(tampered.length).toBe(data.length)
    const op = { ...prepared, paymasterData: tampered }
    const signed = { ...op, signature: await account.signUserOperation(op) }
    const before = [await usdtOf(owner.address), await usdtOf(recipient), await usdtOf(paymaster.treasury), await depositOf()]
    await expect(
      bundlerClient.request({ method: 'eth_sendUserOperation', params: [formatUserOperationRequest(signed), ENTRY_POINT_V08] }),
    ).rejects.toThrow(/AA34/)
    expect([await usdtOf(owner.address), await usdtOf(recipient), await usdtOf(paymaster.treasury), await depositOf()]).toEqual(before)
  }, 90_000)
})
