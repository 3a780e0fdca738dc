/**
 * The ERC-7677 paymaster service in front of the test token paymaster (./paymaster.ts): JSON-RPC
 * 2.0 on 127.0.0.1 (single requests and batches) with `pimlico_getTokenQuotes`,
 * `pm_getPaymasterStubData` (a dummy signature: the contract's validation returns sigFailed, it
 * does not revert) and `pm_getPaymasterData` (the quote signed for the operation as given).
 * @module
 * @internal
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createPublicClient, getAddress, http, isAddress, numberToHex, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { freePort } from '../process.js'
import { ENTRY_POINT_V08 } from './bundler.js'
import {
  DEFAULT_PAYMASTER_SIGNER_KEY,
  DEFAULT_POST_OP_GAS,
  encodePaymasterData,
  PAYMASTER_POST_OP_GAS_LIMIT,
  PAYMASTER_VERIFICATION_GAS_LIMIT,
  paymasterQuoteHash,
  STUB_SIGNATURE,
  type LocalChain,
  type PaymasterQuote,
  type QuotedUserOperation,
} from './paymaster.js'

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
export async function startPaymasterService(options: PaymasterServiceOptions): Promise<PaymasterService> {
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
