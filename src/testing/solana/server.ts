/**
 * A local Solana JSON-RPC server over litesvm (the Solana SVM runtime, in process): a Solana
 * backend for tests, with no validator. It speaks Agave's JSON-RPC over HTTP on 127.0.0.1 —
 * requests and batches, Agave's params, response shapes, error codes and messages — for the
 * methods a wallet uses (see ./methods-*.ts).
 *
 * It is a checking node, not a mock: every transaction is executed by litesvm (signatures,
 * fees, the System, SPL Token, Token-2022, Associated Token Account and Memo programs, durable
 * nonces), after the checks a cluster makes (./ledger.ts: blockhash age, duplicates). Its fault
 * layer (./faults.ts) makes it fail on purpose.
 *
 * This module imports litesvm: coffer/testing imports it only when `startLocalSolana` is called.
 * @module
 * @internal
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { base58 } from '@scure/base'
import { LiteSVM } from 'litesvm'
import type { Address, EncodedAccount } from '@solana/kit'
import { serveLoopback } from '../http.js'
import { FaultLayer, type TestSolanaServer } from './faults.js'
import { Ledger } from './ledger.js'
import { INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR, RpcFailure } from './rpc-errors.js'
import { ACCOUNT_METHODS } from './methods-accounts.js'
import { CHAIN_METHODS } from './methods-chain.js'
import { HISTORY_METHODS } from './methods-history.js'
import { SEND_METHODS } from './methods-send.js'
import type { Method, MethodContext } from './context.js'
import { TOKEN_SPECS, createMintInstructions, mintToInstructions, parseTokenAccount, programAddress } from './tokens.js'
import { SYSTEM_PROGRAM, associatedTokenAddress, buildTransaction, newKeyPair, parseTransaction, u64le } from './wire.js'
import type { LocalSolanaToken, LocalSolanaTokenSymbol, SolanaServerOptions } from './types.js'

export type * from './types.js'

const METHODS: Readonly<Record<string, Method>> = { ...CHAIN_METHODS, ...ACCOUNT_METHODS, ...SEND_METHODS, ...HISTORY_METHODS }
/** Lamports the faucet starts with: 5,000,000 SOL (kept below 2^53). */
const FAUCET_LAMPORTS = 5_000_000n * 1_000_000_000n

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** JSON with bigints written as plain integers (Agave's u64s). */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `__u64__${v}` : v)).replace(/"__u64__(\d+)"/g, '$1')
}

const errorBody = (id: unknown, code: number, message: string, data?: unknown) => ({
  jsonrpc: '2.0',
  error: data === undefined ? { code, message } : { code, message, data },
  id: id ?? null,
})

/** Starts the server on a free 127.0.0.1 port. Stop it when done. */
export async function startSolanaServer(options: SolanaServerOptions = {}): Promise<TestSolanaServer> {
  // litesvm accepts only its latest blockhash; the ledger enforces Agave's 150-slot window and nonces.
  const svm = new LiteSVM().withBlockhashCheck(false)
  const genesisHash = base58.encode(randomBytes(32))
  const ledger = new Ledger(svm, genesisHash)
  const faults = new FaultLayer()
  const faucet = newKeyPair()
  svm.setAccount({
    address: faucet.address as Address,
    lamports: FAUCET_LAMPORTS,
    data: new Uint8Array(),
    programAddress: SYSTEM_PROGRAM as Address,
    executable: false,
    space: 0n,
  } as unknown as EncodedAccount)

  const run = (signers: ReturnType<typeof newKeyPair>[], ixs: Parameters<typeof buildTransaction>[2], what: string): string => {
    const tx = parseTransaction(buildTransaction(signers, ledger.tip.blockhash, ixs))
    const outcome = ledger.execute(tx)
    if (outcome.err || !outcome.record)
      throw new Error(`solana-server: ${what} failed: ${outcome.err?.text ?? 'not landed'}\n${outcome.logs.join('\n')}`)
    return outcome.record.signature
  }
  const rentFor = (len: number) => svm.minimumBalanceForRentExemption(BigInt(len))

  const tokens: LocalSolanaToken[] = []
  for (const symbol of options.tokens ?? []) {
    const spec = TOKEN_SPECS[symbol]
    const mint = newKeyPair()
    const fee =
      spec.program === 'token-2022'
        ? { basisPoints: options.transferFeeBasisPoints ?? 25, maximumFee: options.maximumFee ?? 5n * 10n ** BigInt(spec.decimals) }
        : undefined
    run(
      [faucet, mint],
      createMintInstructions(faucet.address, mint.address, faucet.address, spec.decimals, spec.program, rentFor, fee),
      `creating the ${symbol} mint`,
    )
    tokens.push(
      Object.freeze({ mint: mint.address, symbol, decimals: spec.decimals, name: spec.name, family: symbol, program: spec.program }),
    )
  }
  const tokenOf = (symbol: LocalSolanaTokenSymbol): LocalSolanaToken => {
    const t = tokens.find((x) => x.symbol === symbol)
    if (!t) throw new Error(`solana-server: ${symbol} is not on this chain (start it with tokens: ['${symbol}'])`)
    return t
  }

  const airdrop = (address: string, lamports: bigint): string =>
    run(
      [faucet],
      [
        {
          programId: SYSTEM_PROGRAM,
          keys: [
            { address: faucet.address, signer: true, writable: true },
            { address, writable: true },
          ],
          data: new Uint8Array([2, 0, 0, 0, ...u64le(lamports)]),
        },
      ],
      `the airdrop to ${address}`,
    )
  const ctx: MethodContext = {
    ledger,
    airdrop(address, lamports) {
      try {
        return airdrop(address, lamports)
      } catch (error) {
        throw new RpcFailure(-32603, (error as Error).message.split('\n')[0]!)
      }
    },
  }

  let requests = 0
  let methodLog: string[] = []

  const call = (request: unknown): object | undefined => {
    const r = request as { jsonrpc?: unknown; method?: unknown; params?: unknown; id?: unknown }
    if (typeof r !== 'object' || r === null || Array.isArray(r) || r.jsonrpc !== '2.0' || typeof r.method !== 'string') {
      return errorBody(null, INVALID_REQUEST, 'Invalid request')
    }
    const idOk = r.id === undefined || r.id === null || typeof r.id === 'string' || (typeof r.id === 'number' && Number.isInteger(r.id))
    if (!idOk) return errorBody(null, INVALID_REQUEST, 'Invalid request')
    const method = METHODS[r.method]
    let answer: object
    if (!method || !Object.hasOwn(METHODS, r.method)) answer = errorBody(r.id, METHOD_NOT_FOUND, 'Method not found')
    else {
      try {
        answer = { jsonrpc: '2.0', result: method(ctx, r.params), id: r.id ?? null }
      } catch (error) {
        if (error instanceof RpcFailure) answer = errorBody(r.id, error.code, error.message, error.data)
        else answer = errorBody(r.id, -32603, 'Internal error', String((error as Error)?.message ?? error))
      }
    }
    return r.id === undefined ? undefined : answer // notifications get no answer
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests++
    const body = (await readBody(req)).toString('utf8')
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(payload === undefined ? '' : toJson(payload))
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'POST' })
      res.end('Used HTTP Method is not allowed. POST or OPTIONS is required')
      return
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch {
      return send(200, errorBody(null, PARSE_ERROR, 'Parse error'))
    }
    const batch = Array.isArray(parsed)
    const calls: unknown[] = batch ? (parsed as unknown[]) : [parsed]
    if (batch && calls.length === 0) return send(200, errorBody(null, INVALID_REQUEST, 'Invalid request'))
    const methods = calls.map((c) => (typeof (c as { method?: unknown })?.method === 'string' ? (c as { method: string }).method : ''))
    methodLog.push(...methods)

    const before = faults.match(methods, 'before')
    if (before?.fault === 'hang') return
    if (before && typeof before.fault === 'object' && 'status' in before.fault) {
      res.writeHead(before.fault.status, { 'content-type': 'text/plain' })
      res.end(before.fault.body ?? '')
      return
    }
    const answers = calls.map((c, i) => {
      if (before && typeof before.fault === 'object' && 'rpcError' in before.fault && before.matches(methods[i]!)) {
        const id = (c as { id?: unknown })?.id
        return errorBody(id, before.fault.rpcError.code, before.fault.rpcError.message, before.fault.rpcError.data)
      }
      return call(c)
    })
    const after = faults.match(methods, 'after')
    if (after?.fault === 'hang') return
    if (after && typeof after.fault === 'object' && 'status' in after.fault) {
      res.writeHead(after.fault.status, { 'content-type': 'text/plain' })
      res.end(after.fault.body ?? '')
      return
    }
    if (after && typeof after.fault === 'object' && 'rpcError' in after.fault) {
      const { code, message, data } = after.fault.rpcError
      answers.forEach((a, i) => {
        if (a && after.matches(methods[i]!)) answers[i] = errorBody((calls[i] as { id?: unknown })?.id, code, message, data)
      })
    }
    const rewrite = after?.rewrite
    if (rewrite) {
      answers.forEach((a, i) => {
        if (a && 'result' in a && after.matches(methods[i]!))
          answers[i] = { ...a, result: rewrite(methods[i]!, (a as { result: unknown }).result, (calls[i] as { params?: unknown })?.params) }
      })
    }
    const present = answers.filter((a): a is object => a !== undefined)
    if (batch) return present.length === 0 ? send(200, undefined) : send(200, present)
    return send(200, answers[0])
  }

  const server = await serveLoopback('solana-server', handle)
  const timer = options.slotMs && options.slotMs > 0 ? setInterval(() => ledger.advance(), options.slotMs) : undefined
  timer?.unref()
  let stopped: Promise<void> | undefined

  return {
    url: server.url,
    genesisHash,
    tokens: Object.freeze([...tokens]),
    get requests() {
      return requests
    },
    get methodLog() {
      return methodLog
    },
    get faultLog() {
      return faults.log
    },
    slot: () => ledger.slot,
    mine(slots = 1) {
      for (let i = 0; i < slots; i++) ledger.advance()
    },
    balanceOf: (address) => svm.getBalance(address as Address) ?? 0n,
    tokenBalanceOf(owner, symbol) {
      const token = tokenOf(symbol)
      const a = ledger.read(associatedTokenAddress(owner, token.mint, programAddress(token.program)))
      return (a && parseTokenAccount(a.owner, a.data)?.amount) ?? 0n
    },
    airdrop,
    mintTo(owner, symbol, amount) {
      const token = tokenOf(symbol)
      return run(
        [faucet],
        mintToInstructions(faucet.address, owner, token.mint, faucet.address, token.program, amount),
        `minting ${symbol} to ${owner}`,
      )
    },
    transactions: () =>
      ledger
        .transactions()
        .map((t) =>
          Object.freeze({ signature: t.signature, slot: t.slot, index: t.index, fee: t.fee, err: t.err?.json ?? null, logs: t.logs }),
        ),
    setPrioritizationFees(fees) {
      ledger.prioritizationOverride = fees === undefined ? undefined : [...fees]
    },
    resetRequests() {
      requests = 0
      methodLog = []
    },
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    stop() {
      if (timer) clearInterval(timer)
      return (stopped ??= server.stop())
    },
  }
}
