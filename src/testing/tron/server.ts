/**
 * A local HTTP server that speaks TronGrid's API (java-tron's /wallet and /walletsolidity HTTP
 * API, and TronGrid's /v1 account endpoints) over a TRX ledger of its own and an anvil that runs
 * the TRC-20 contracts: a Tron backend for tests, with no Tron node (java-tron needs JDK 8).
 *
 * A Tron address is 0x41 and the same 20 bytes as the EVM address of the same key, and TRC-20
 * contracts are EVM bytecode, so a TriggerSmartContract runs on anvil as its owner. It is a
 * checking node, not a mock: every broadcast is decoded by tronweb and checked as java-tron
 * checks it (./node.ts), fees are charged from chain parameters as mainnet charges them, blocks
 * are sealed on `mine()` (or every `blockMs`), and a fault layer (./faults.ts) makes it fail on
 * purpose. It listens on 127.0.0.1 only.
 *
 * This module imports tronweb: coffer/testing imports it only when `startLocalTron` is called.
 * @module
 * @internal
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { TronWeb } from 'tronweb'
import { sha256 } from '@noble/hashes/sha2.js'
import { serveLoopback } from '../http.js'
import { spawnAnvil, type AnvilProcess } from '../evm/anvil.js'
import { deployContract } from '../evm/deploy.js'
import { tetherToken } from '../evm/contracts.js'
import { Chain, MAINNET_PARAMETERS } from './chain.js'
import { FaultLayer, applyFault } from './faults.js'
import { Evm, Node } from './node.js'
import { v1Route, walletRoute, type Reply, type RouteContext } from './routes.js'
import type { LocalTronToken, LocalTronTokenSymbol, TronChainParameters, TronServer, TronServerOptions } from './types.js'
import { bytesToHex, evmOf, fromBase58, parseAddress, toBase58, toJson, tronOf } from './wire.js'

export type * from './types.js'

/**
 * The key of the server's faucet, which holds the TRX `fund` pays and deploys (owns) the TRC-20s.
 * A public test key, the same on every server: never send it real funds.
 */
const FAUCET_KEY = bytesToHex(sha256(new TextEncoder().encode('coffer local tron faucet')))
/** The faucet's TRX: 5,000,000,000 TRX (below 2^53 sun, so JSON numbers stay exact). */
const FAUCET_SUN = 5_000_000_000n * 1_000_000n

const TOKEN_SPECS: Readonly<Record<LocalTronTokenSymbol, { name: string; decimals: number }>> = {
  USDT: { name: 'Tether USD', decimals: 6 },
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** Starts anvil, deploys the tokens and starts the server on a free 127.0.0.1 port. Stop it when done. */
export async function startTronServer(options: TronServerOptions = {}): Promise<TronServer> {
  const params: TronChainParameters = { ...MAINNET_PARAMETERS, ...options.parameters }
  const startHeight = options.startHeight ?? 100
  if (!Number.isInteger(startHeight) || startHeight < 20) throw new Error('tron-server: startHeight must be an integer ≥ 20')
  const anvil: AnvilProcess = await spawnAnvil({
    ...(options.anvilPath === undefined ? {} : { anvilPath: options.anvilPath }),
    extraArgs: ['--hardfork', 'cancun', '--disable-block-gas-limit'],
  })
  let stopped: Promise<void> | undefined
  try {
    const evm = new Evm(anvil.url)
    const chain = new Chain(startHeight, await evm.blockNumber())
    const node = new Node(chain, evm, params)
    const faucet = fromBase58(TronWeb.address.fromPrivateKey(FAUCET_KEY) as string)!
    chain.create(faucet).balance = FAUCET_SUN
    await evm.prepare(evmOf(faucet))

    const tokens: LocalTronToken[] = []
    for (const symbol of options.tokens ?? []) {
      const spec = TOKEN_SPECS[symbol]
      const evmAddress = await deployContract(anvil.url, evmOf(faucet), tetherToken, [spec.name, symbol, spec.decimals])
      const hex = tronOf(evmAddress)
      chain.create(hex, true)
      node.contracts.set(hex, {
        address: hex,
        name: 'TetherToken',
        origin: faucet,
        bytecode: tetherToken.bytecode.slice(2),
        abi: tetherToken.abi,
      })
      tokens.push(Object.freeze({ address: toBase58(hex), symbol, decimals: spec.decimals, name: spec.name, family: symbol }))
    }
    chain.seal(await evm.blockNumber())
    const tokenHex = (symbol: LocalTronTokenSymbol): string => {
      const t = tokens.find((x) => x.symbol === symbol)
      if (!t) throw new Error(`tron-server: ${symbol} is not on this chain (start it with tokens: ['${symbol}'])`)
      return fromBase58(t.address)!
    }
    const hexOf = (address: string, what: string): string => {
      const hex = parseAddress(address, false, true)
      if (!hex) throw new Error(`tron-server: ${what}: ${JSON.stringify(String(address).slice(0, 60))} is not a Tron address`)
      return hex
    }
    const trigger = (symbol: LocalTronTokenSymbol, data: string, what: string) =>
      node.submit(FAUCET_KEY, 'TriggerSmartContract', { owner_address: faucet, contract_address: tokenHex(symbol), data }, what)

    const faults = new FaultLayer()
    let requests = 0
    let requestLog: string[] = []
    let url = ''
    const ctx: RouteContext = { node, tokens, baseUrl: () => url }

    const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      requests++
      const method = req.method ?? 'GET'
      const u = new URL(req.url ?? '/', 'http://tron.local')
      const path = u.pathname.replace(/\/+$/, '') || '/'
      requestLog.push(`${method} ${path}`)
      const body = await readBody(req)
      const send = (reply: Reply) => {
        res.writeHead(reply.status, { 'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json' })
        res.end(typeof reply.body === 'string' ? reply.body : toJson(reply.body))
      }
      const early = faults.match(method, path, 'before')
      if (early) return applyFault(early, res)
      let reply: Reply | undefined
      const parts = path
        .split('/')
        .filter((p) => p.length > 0)
        .map(decodeURIComponent)
      if ((parts[0] === 'wallet' || parts[0] === 'walletsolidity') && parts.length === 2) {
        if (method !== 'GET' && method !== 'POST') reply = { status: 405, body: 'Method Not Allowed' }
        else {
          let p: Record<string, unknown> = Object.fromEntries(u.searchParams)
          if (method === 'POST' && body.trim() !== '') {
            try {
              const parsed: unknown = JSON.parse(body)
              if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object')
              p = parsed as Record<string, unknown>
            } catch (error) {
              reply = { status: 200, body: { Error: `class com.alibaba.fastjson.JSONException : ${(error as Error).message}` } }
            }
          }
          reply ??= await walletRoute(ctx, parts[0] === 'walletsolidity', parts[1]!, method, p)
        }
      } else if (parts[0] === 'v1') {
        reply = method === 'GET' ? await v1Route(ctx, parts, u.searchParams, path) : { status: 405, body: 'Method Not Allowed' }
      }
      reply ??= { status: 404, body: 'Not Found' }
      const late = faults.match(method, path, 'after')
      if (late) return applyFault(late, res)
      send(reply)
    }

    const server = await serveLoopback('tron-server', handle)
    url = server.url
    const timer =
      options.blockMs && options.blockMs > 0 ? setInterval(() => void node.seal().catch(() => undefined), options.blockMs) : undefined
    timer?.unref()

    return {
      url: server.url,
      genesisBlockId: chain.blocks[0]!.id,
      tokens: Object.freeze([...tokens]),
      parameters: Object.freeze({ ...params }),
      anvilUrl: anvil.url,
      get requests() {
        return requests
      },
      get requestLog() {
        return requestLog
      },
      get faultLog() {
        return faults.log
      },
      head: () => ({ number: chain.head.number, id: chain.head.id, timestamp: chain.head.timestamp }),
      solidNumber: () => chain.solid.number,
      async mine(blocks = 1) {
        for (let i = 0; i < blocks; i++) await node.seal()
      },
      balanceOf: (address) => chain.account(hexOf(address, 'balanceOf'))?.balance ?? 0n,
      isActivated: (address) => chain.account(hexOf(address, 'isActivated')) !== undefined,
      tokenBalanceOf: (address, symbol) => node.tokenBalance(tokenHex(symbol), hexOf(address, 'tokenBalanceOf'), 'latest'),
      sendTrx: (address, sun) =>
        node.submit(
          FAUCET_KEY,
          'TransferContract',
          { owner_address: faucet, to_address: hexOf(address, 'sendTrx'), amount: Number(sun) },
          'a faucet transfer',
        ),
      mintToken: (address, symbol, amount) =>
        trigger(
          symbol,
          TronWeb.sha3('mint(address,uint256)').slice(2, 10) +
            evmOf(hexOf(address, 'mintToken')).slice(2).padStart(64, '0') +
            amount.toString(16).padStart(64, '0'),
          `minting ${symbol}`,
        ),
      blacklist: (address, symbol = 'USDT') =>
        trigger(
          symbol,
          TronWeb.sha3('addBlackList(address)').slice(2, 10) + evmOf(hexOf(address, 'blacklist')).slice(2).padStart(64, '0'),
          'addBlackList',
        ),
      setPaused: (paused, symbol = 'USDT') =>
        trigger(symbol, TronWeb.sha3(paused ? 'pause()' : 'unpause()').slice(2, 10), paused ? 'pause' : 'unpause'),
      setResources(address, resources) {
        const account = node.requireAccount(hexOf(address, 'setResources'), 'setResources')
        if (resources.energy !== undefined) {
          account.energyLimit = resources.energy
          account.energyUsed = 0
        }
        if (resources.bandwidth !== undefined) {
          account.netLimit = resources.bandwidth
          account.netUsed = 0
        }
      },
      transactions: () =>
        [...chain.txs.values()].map((r) =>
          Object.freeze({
            txID: r.txID,
            owner: toBase58(r.owner),
            type: r.type,
            fee: r.fee,
            energy: r.energyTotal,
            energyFee: r.energyFee,
            netUsage: r.netUsage,
            netFee: r.netFee,
            result: r.result,
            blockNumber: r.blockNumber,
          }),
        ),
      refusals: () => node.refused.map((r) => Object.freeze({ ...r })),
      resetRequests() {
        requests = 0
        requestLog = []
      },
      addFault: (rule) => faults.add(rule),
      clearFaults: () => faults.clear(),
      stop() {
        if (timer) clearInterval(timer)
        return (stopped ??= server.stop().then(() => anvil.stop()))
      },
    }
  } catch (error) {
    await anvil.stop()
    throw error
  }
}
