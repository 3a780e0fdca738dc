/**
 * A test-only ERC-20 token paymaster on a local chain, and an ERC-7677 paymaster service in front
 * of it (Pimlico's `pimlico_getTokenQuotes` too), for UserOperations through the local bundler
 * (./bundler.ts): EntryPoint v0.8 at its public address.
 *
 * `deployTokenPaymaster` deploys `TestTokenPaymaster` (test/fixtures/evm/TokenPaymaster.sol in
 * coffer's repository, compiled into ./contracts.ts) with anvil's dev key 0 and funds its EntryPoint deposit.
 * `startPaymasterService` answers JSON-RPC 2.0 on 127.0.0.1 (single requests and batches): it
 * quotes a fixed exchange rate per token (settable), returns stub paymaster data for gas
 * estimation (a dummy signature: the contract's validation returns sigFailed, it does not revert)
 * and signs the final quote for the UserOperation as given (its call data, gas limits and fees).
 *
 * paymasterAndData (byte offsets; the service returns bytes [52:] as `paymasterData`):
 *   [0:20] paymaster, [20:36] paymasterVerificationGasLimit, [36:52] paymasterPostOpGasLimit,
 *   [52:72] token, [72:104] exchangeRate (token base units per 1e18 wei), [104:120] postOpGas,
 *   [120:126] validUntil, [126:132] validAfter, [132:197] signature (r ‖ s ‖ v, EIP-191 personal
 *   message of {@link paymasterQuoteHash}).
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import {
  concat,
  createPublicClient,
  createWalletClient,
  encodeAbiParameters,
  getAddress,
  http,
  isAddress,
  isHex,
  keccak256,
  numberToHex,
  parseEther,
  toHex,
  type Address,
  type Chain,
  type Hex,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { freePort } from '../process.js'
import { testTokenPaymaster } from './contracts.js'
import { startLocalChain, type LocalChain as TestingChain } from './local-chain.js'
import { ENTRY_POINT_V08, startBundler, type LocalBundler } from './bundler.js'

const testTokenPaymasterAbi = testTokenPaymaster.abi

/** anvil dev key 0: deploys and funds the paymaster (the same account bundler.ts deploys with). */
const DEPLOYER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
/** anvil dev key 7: the service's default quote signer. */
const DEFAULT_PAYMASTER_SIGNER_KEY = '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356'
/** Where the charged tokens go by default: an address nothing else uses. */
const DEFAULT_TREASURY: Address = '0x7e57000000000000000000000000000000007e57'
/** The paymaster's gas limits, the same in the stub and the final data (measured on anvil with USDT: validation ≈ 18k, postOp ≈ 30.5k with a treasury going from 0). */
export const PAYMASTER_VERIFICATION_GAS_LIMIT = 100_000n
export const PAYMASTER_POST_OP_GAS_LIMIT = 80_000n
/** The gas postOp is assumed to use when a quote names none (charged on top of the gas before postOp). */
const DEFAULT_POST_OP_GAS = 60_000n
/**
 * The stub signature: 65 bytes, v = 28 and a low s, so the contract runs ecrecover on it (the
 * gas of a real one) and recovers an address that is not the signer: sigFailed, no revert.
 */
export const STUB_SIGNATURE: Hex = `0x${'ff'.repeat(16)}${'00'.repeat(16)}${'7a'.repeat(32)}1c`
const PAYMASTER_DATA_LENGTH = 145 // bytes [52:197]

type LocalChain = { readonly chain: Chain; readonly rpcUrl: string }

/** A deployed TestTokenPaymaster. */
export interface DeployedTokenPaymaster {
  readonly address: Address
  readonly treasury: Address
  /** The quote signer the contract trusts. */
  readonly signer: Address
}

/** Deploys TestTokenPaymaster (EntryPoint v0.8) with anvil's dev key 0 and deposits `depositWei` (default 10 ETH) for it. */
async function deployTokenPaymaster(
  chain: LocalChain,
  options: { signerKey?: Hex; treasury?: Address; depositWei?: bigint } = {},
): Promise<DeployedTokenPaymaster> {
  const signer = privateKeyToAccount(options.signerKey ?? DEFAULT_PAYMASTER_SIGNER_KEY).address
  const treasury = getAddress(options.treasury ?? DEFAULT_TREASURY)
  const rpc = createPublicClient({ chain: chain.chain, transport: http(chain.rpcUrl) })
  const wallet = createWalletClient({ account: privateKeyToAccount(DEPLOYER_KEY), chain: chain.chain, transport: http(chain.rpcUrl) })
  const hash = await wallet.deployContract({
    abi: testTokenPaymasterAbi,
    bytecode: testTokenPaymaster.bytecode as Hex,
    args: [ENTRY_POINT_V08, signer, treasury],
  })
  const receipt = await rpc.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error('TestTokenPaymaster deployment failed')
  const address = getAddress(receipt.contractAddress)
  const value = options.depositWei ?? parseEther('10')
  if (value > 0n) {
    const deposit = await wallet.writeContract({ address, abi: testTokenPaymasterAbi, functionName: 'deposit', value })
    if ((await rpc.waitForTransactionReceipt({ hash: deposit })).status !== 'success') throw new Error('paymaster deposit failed')
  }
  return { address, treasury, signer }
}

/** A quote: token base units per 1e18 wei, and the gas postOp is charged for on top. */
export interface PaymasterQuote {
  readonly token: Address
  readonly exchangeRate: bigint
  readonly postOpGas: bigint
  readonly validUntil: number
  readonly validAfter: number
}

/** The fields of a UserOperation (v0.7/v0.8, unpacked, bigints) that the quote hash covers. */
export interface QuotedUserOperation {
  readonly sender: Address
  readonly nonce: bigint
  readonly callData: Hex
  readonly callGasLimit: bigint
  readonly verificationGasLimit: bigint
  readonly preVerificationGas: bigint
  readonly maxFeePerGas: bigint
  readonly maxPriorityFeePerGas: bigint
  readonly paymasterVerificationGasLimit: bigint
  readonly paymasterPostOpGasLimit: bigint
}

const pack128 = (high: bigint, low: bigint): Hex => toHex((high << 128n) | low, { size: 32 })

/**
 * What the service signs (before the EIP-191 prefix); TestTokenPaymaster.quoteHash computes the
 * same: keccak256(abi.encode(sender, nonce, keccak256(callData), accountGasLimits,
 * preVerificationGas, gasFees, pmVerificationGasLimit, pmPostOpGasLimit, chainId, paymaster,
 * token, exchangeRate, postOpGas, validUntil, validAfter)).
 */
export function paymasterQuoteHash(op: QuotedUserOperation, chainId: number, paymaster: Address, quote: PaymasterQuote): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: 'address' },
        { type: 'uint256' },
        { type: 'bytes32' },
        { type: 'bytes32' },
        { type: 'uint256' },
        { type: 'bytes32' },
        { type: 'uint128' },
        { type: 'uint128' },
        { type: 'uint256' },
        { type: 'address' },
        { type: 'address' },
        { type: 'uint256' },
        { type: 'uint128' },
        { type: 'uint48' },
        { type: 'uint48' },
      ],
      [
        op.sender,
        op.nonce,
        keccak256(op.callData),
        pack128(op.verificationGasLimit, op.callGasLimit),
        op.preVerificationGas,
        pack128(op.maxPriorityFeePerGas, op.maxFeePerGas),
        op.paymasterVerificationGasLimit,
        op.paymasterPostOpGasLimit,
        BigInt(chainId),
        paymaster,
        quote.token,
        quote.exchangeRate,
        quote.postOpGas,
        quote.validUntil,
        quote.validAfter,
      ],
    ),
  )
}

/** paymasterData (bytes [52:197] of paymasterAndData) for a quote and a 65-byte signature. */
function encodePaymasterData(quote: PaymasterQuote, signature: Hex): Hex {
  if (!isHex(signature) || signature.length !== 2 + 130) throw new Error('the paymaster signature must be 65 bytes')
  return concat([
    quote.token,
    toHex(quote.exchangeRate, { size: 32 }),
    toHex(quote.postOpGas, { size: 16 }),
    toHex(quote.validUntil, { size: 6 }),
    toHex(quote.validAfter, { size: 6 }),
    signature,
  ])
}

/** Reads paymasterData (bytes [52:197]) back into its quote and signature. */
export function decodePaymasterData(data: Hex): { quote: PaymasterQuote; signature: Hex } {
  if (!isHex(data) || data.length !== 2 + 2 * PAYMASTER_DATA_LENGTH) throw new Error(`paymasterData must be ${PAYMASTER_DATA_LENGTH} bytes`)
  const at = (from: number, to: number): Hex => `0x${data.slice(2 + 2 * from, 2 + 2 * to)}`
  return {
    quote: {
      token: getAddress(at(0, 20)),
      exchangeRate: BigInt(at(20, 52)),
      postOpGas: BigInt(at(52, 68)),
      validUntil: Number(BigInt(at(68, 74))),
      validAfter: Number(BigInt(at(74, 80))),
    },
    signature: at(80, 145),
  }
}

/** A running paymaster service. */
export interface PaymasterService {
  /** `http://127.0.0.1:<port>`: `createPaymasterClient({ transport: http(url) })`. */
  readonly url: string
  /** The method names received, in order (each request of a batch counts). */
  readonly calls: string[]
  setExchangeRate(token: Address, exchangeRate: bigint): void
  stop(): Promise<void>
}

interface PaymasterServiceOptions {
  readonly chain: LocalChain
  /** The deployed paymaster (its address). */
  readonly paymaster: { readonly address: Address }
  /** Default: anvil dev key 7 (deployTokenPaymaster's default signer). */
  readonly signerKey?: Hex
  /** By token address: base units per 1e18 wei, and the postOp gas charged on top (default 60k). */
  readonly quotes: { readonly [token: Address]: { exchangeRate: bigint; postOpGas?: bigint } }
  /** How long a signed quote is valid (default 600 s). */
  readonly validForSeconds?: number
}

class RpcFault extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
  }
}
const badParams = (message: string) => new RpcFault(-32602, message)

function quantity(value: unknown, name: string): bigint {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(value)) throw badParams(`${name} must be a hex quantity`)
  return BigInt(value)
}
function optionalQuantity(value: unknown, name: string): bigint | undefined {
  return value === undefined || value === null ? undefined : quantity(value, name)
}
function address(value: unknown, name: string): Address {
  if (typeof value !== 'string' || !isAddress(value, { strict: false })) throw badParams(`${name} must be an address`)
  return getAddress(value)
}
function bytes(value: unknown, name: string): Hex {
  if (typeof value !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(value)) throw badParams(`${name} must be hex bytes`)
  return value as Hex
}
function object(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badParams(`${name} must be an object`)
  return value as Record<string, unknown>
}

/** Starts the service on 127.0.0.1 and a free port. */
async function startPaymasterService(options: PaymasterServiceOptions): Promise<PaymasterService> {
  const signer = privateKeyToAccount(options.signerKey ?? DEFAULT_PAYMASTER_SIGNER_KEY)
  const paymaster = getAddress(options.paymaster.address)
  const chainId = options.chain.chain.id
  const validFor = options.validForSeconds ?? 600
  const rpc = createPublicClient({ chain: options.chain.chain, transport: http(options.chain.rpcUrl) })
  const rates = new Map<Address, { exchangeRate: bigint; postOpGas: bigint }>()
  for (const [token, q] of Object.entries(options.quotes))
    rates.set(getAddress(token), { exchangeRate: q.exchangeRate, postOpGas: q.postOpGas ?? DEFAULT_POST_OP_GAS })
  const calls: string[] = []

  const rateOf = (token: Address) => {
    const rate = rates.get(token)
    if (!rate) throw badParams(`no quote for token ${token}`)
    return rate
  }
  const checkTarget = (entryPoint: unknown, chainIdHex: unknown) => {
    if (address(entryPoint, 'entryPoint') !== getAddress(ENTRY_POINT_V08))
      throw badParams(`unsupported entryPoint ${String(entryPoint)} (only v0.8's ${ENTRY_POINT_V08})`)
    if (quantity(chainIdHex, 'chainId') !== BigInt(chainId)) throw badParams(`unsupported chain ${String(chainIdHex)} (this is ${chainId})`)
  }
  /** The quote for a request: the context's token, valid from now (the chain's clock) for validFor seconds. */
  const quoteFor = async (context: unknown): Promise<PaymasterQuote> => {
    const token = address(object(context, 'context').token, 'context.token')
    const { exchangeRate, postOpGas } = rateOf(token)
    const now = Number((await rpc.getBlock()).timestamp)
    return { token, exchangeRate, postOpGas, validUntil: Math.max(now, Math.floor(Date.now() / 1000)) + validFor, validAfter: 0 }
  }
  const userOpOf = (value: unknown): QuotedUserOperation => {
    const op = object(value, 'userOp')
    return {
      sender: address(op.sender, 'userOp.sender'),
      nonce: quantity(op.nonce, 'userOp.nonce'),
      callData: bytes(op.callData, 'userOp.callData'),
      callGasLimit: optionalQuantity(op.callGasLimit, 'userOp.callGasLimit') ?? 0n,
      verificationGasLimit: optionalQuantity(op.verificationGasLimit, 'userOp.verificationGasLimit') ?? 0n,
      preVerificationGas: optionalQuantity(op.preVerificationGas, 'userOp.preVerificationGas') ?? 0n,
      maxFeePerGas: quantity(op.maxFeePerGas, 'userOp.maxFeePerGas'),
      maxPriorityFeePerGas: quantity(op.maxPriorityFeePerGas, 'userOp.maxPriorityFeePerGas'),
      // What the EntryPoint will read from paymasterAndData[20:52]: this service's limits.
      paymasterVerificationGasLimit:
        optionalQuantity(op.paymasterVerificationGasLimit, 'userOp.paymasterVerificationGasLimit') ?? PAYMASTER_VERIFICATION_GAS_LIMIT,
      paymasterPostOpGasLimit:
        optionalQuantity(op.paymasterPostOpGasLimit, 'userOp.paymasterPostOpGasLimit') ?? PAYMASTER_POST_OP_GAS_LIMIT,
    }
  }
  const fourParams = (params: unknown): [unknown, unknown, unknown, unknown] => {
    if (!Array.isArray(params) || params.length < 3 || params.length > 4) throw badParams('expected [userOp, entryPoint, chainId, context]')
    return [params[0], params[1], params[2], params[3]]
  }

  const methods: Record<string, (params: unknown) => Promise<unknown>> = {
    pimlico_getTokenQuotes: async (params) => {
      if (!Array.isArray(params) || params.length !== 3) throw badParams('expected [{ tokens }, entryPoint, chainId]')
      checkTarget(params[1], params[2])
      const tokens = object(params[0], 'params[0]').tokens
      if (!Array.isArray(tokens)) throw badParams('tokens must be an array of addresses')
      return {
        quotes: tokens.map((t, i) => {
          const token = address(t, `tokens[${i}]`)
          const { exchangeRate, postOpGas } = rateOf(token)
          return {
            paymaster,
            token,
            postOpGas: numberToHex(postOpGas),
            exchangeRate: numberToHex(exchangeRate),
            // USD per 1e18 wei with 6 decimals: the token's own rate for a 6-decimal USD token.
            exchangeRateNativeToUsd: numberToHex(exchangeRate),
          }
        }),
      }
    },
    pm_getPaymasterStubData: async (params) => {
      const [op, entryPoint, chainIdHex, context] = fourParams(params)
      checkTarget(entryPoint, chainIdHex)
      userOpOf(op)
      const quote = await quoteFor(context)
      return {
        paymaster,
        paymasterData: encodePaymasterData(quote, STUB_SIGNATURE),
        paymasterVerificationGasLimit: numberToHex(PAYMASTER_VERIFICATION_GAS_LIMIT),
        paymasterPostOpGasLimit: numberToHex(PAYMASTER_POST_OP_GAS_LIMIT),
        isFinal: false,
      }
    },
    pm_getPaymasterData: async (params) => {
      const [op, entryPoint, chainIdHex, context] = fourParams(params)
      checkTarget(entryPoint, chainIdHex)
      const userOp = userOpOf(op)
      const quote = await quoteFor(context)
      const signature = await signer.signMessage({ message: { raw: paymasterQuoteHash(userOp, chainId, paymaster, quote) } })
      return { paymaster, paymasterData: encodePaymasterData(quote, signature) }
    },
  }

  const answer = async (request: unknown): Promise<object | undefined> => {
    const req =
      typeof request === 'object' && request !== null && !Array.isArray(request) ? (request as Record<string, unknown>) : undefined
    const id = req && (typeof req.id === 'string' || typeof req.id === 'number' || req.id === null) ? req.id : null
    if (!req || req.jsonrpc !== '2.0' || typeof req.method !== 'string')
      return { jsonrpc: '2.0', id, error: { code: -32600, message: 'invalid request' } }
    calls.push(req.method)
    const method = Object.hasOwn(methods, req.method) ? methods[req.method] : undefined
    let reply: object
    if (!method) reply = { jsonrpc: '2.0', id, error: { code: -32601, message: `method ${req.method} not found` } }
    else {
      try {
        reply = { jsonrpc: '2.0', id, result: await method(req.params ?? []) }
      } catch (error) {
        const fault = error instanceof RpcFault ? error : new RpcFault(-32603, error instanceof Error ? error.message : String(error))
        reply = { jsonrpc: '2.0', id, error: { code: fault.code, message: fault.message } }
      }
    }
    return 'id' in req ? reply : undefined // a notification gets no answer
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(body === undefined ? '' : JSON.stringify(body))
    }
    if (req.method !== 'POST') return send(405, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'POST only' } })
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    let body: unknown
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      return send(200, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } })
    }
    if (Array.isArray(body)) {
      if (body.length === 0) return send(200, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'empty batch' } })
      const replies = (await Promise.all(body.map(answer))).filter((r) => r !== undefined)
      return replies.length ? send(200, replies) : send(204, undefined)
    }
    const reply = await answer(body)
    return reply ? send(200, reply) : send(204, undefined)
  }

  const port = await freePort()
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: String(error) } }))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    setExchangeRate: (token, exchangeRate) => {
      const key = getAddress(token)
      rates.set(key, { exchangeRate, postOpGas: rates.get(key)?.postOpGas ?? DEFAULT_POST_OP_GAS })
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/**
 * A local ERC-4337 sponsor: alto, EntryPoint v0.8 and Simple7702Account v0.8, and the test token
 * paymaster with its ERC-7677 service quoting USDT. `stablecoinGas` is what `evm({ stablecoinGas })`
 * takes.
 */
export interface LocalSponsor {
  readonly bundler: LocalBundler
  readonly paymaster: DeployedTokenPaymaster
  readonly service: PaymasterService
  /** `evm({ …, stablecoinGas: sponsor.stablecoinGas })` */
  readonly stablecoinGas: { readonly bundlerUrl: string; readonly paymasterUrl: string; readonly paymaster: Address }
  /** Stops the service and alto (not the chain). */
  stop(): Promise<void>
}

/** Options of {@link startLocalSponsor}. */
export interface LocalSponsorOptions {
  /** USDT base units per 10^18 wei, default 3,000,000,000 (3,000 USDT per ETH). */
  readonly exchangeRate?: bigint
  /** Gas the paymaster's postOp charges on top, default 40,000. */
  readonly postOpGas?: bigint
}

/**
 * Starts a local ERC-4337 sponsor on a `startLocalChain` chain that has USDT: deploys EntryPoint
 * v0.8 and Simple7702Account v0.8 (from `@account-abstraction/contracts`), starts alto
 * (`@pimlico/alto`) on a free port, deploys the test token paymaster and starts its service. Both
 * packages are optional peer dependencies: install them as dev dependencies to use this.
 * @throws NotSupportedError when one is missing
 */
export async function startLocalSponsor(
  local: LocalChain & { readonly tokens: { readonly USDT: { readonly address: Address } } },
  options: LocalSponsorOptions = {},
): Promise<LocalSponsor> {
  const bundler = await startBundler(local)
  try {
    const paymaster = await deployTokenPaymaster(local)
    const service = await startPaymasterService({
      chain: local,
      paymaster,
      quotes: {
        [local.tokens.USDT.address]: { exchangeRate: options.exchangeRate ?? 3_000_000_000n, postOpGas: options.postOpGas ?? 40_000n },
      },
    })
    return {
      bundler,
      paymaster,
      service,
      stablecoinGas: { bundlerUrl: bundler.url, paymasterUrl: service.url, paymaster: paymaster.address },
      stop: async () => {
        await service.stop()
        await bundler.stop()
      },
    }
  } catch (error) {
    await bundler.stop()
    throw error
  }
}

/** A local chain with USDT and a sponsor on it (see {@link startLocalSponsor}). @internal */
export interface SponsoredChain extends LocalSponsor {
  readonly local: TestingChain<'USDT'>
}

/** Starts everything a stablecoin-gas test needs (stop it in afterAll: the sponsor, then the chain). @internal */
export async function startSponsoredChain(exchangeRate: bigint, postOpGas: bigint): Promise<SponsoredChain> {
  const local = await startLocalChain({ tokens: ['USDT'] })
  const sponsor = await startLocalSponsor(local, { exchangeRate, postOpGas })
  return {
    ...sponsor,
    local,
    stop: async () => {
      await sponsor.stop()
      await local.stop()
    },
  }
}
