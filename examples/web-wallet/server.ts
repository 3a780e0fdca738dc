/**
 * The web wallet's development server: `npm run web-wallet`.
 *
 * 1. starts four local chains from `coffer/testing`: EVM (anvil) with USDC and USDT, Solana
 *    (litesvm behind Agave's JSON-RPC) with USDC, TRON (a TronGrid-shaped server, TRC-20s on
 *    anvil) with USDT, and Bitcoin regtest (an Esplora server);
 * 2. bundles app.ts for the browser with esbuild (`coffer` and `coffer/*` resolve to the
 *    repository's src/ through an alias, as bench/bundle/size.ts does; an app outside this
 *    repository imports the installed package instead);
 * 3. serves the page on 127.0.0.1, passes `/chain/<family>/…` through to that chain's node (the
 *    page's only origin, as a production app would put its RPC providers behind its own
 *    gateway; the local Solana, TRON and Esplora servers send no CORS headers), and answers
 *    three small JSON endpoints:
 *    - `GET /api/config`: each chain's id, gateway path and tokens;
 *    - `GET /api/prices`: fixed fiat prices (the page feeds them to coffer's `fixedPrices`);
 *    - `POST /api/faucet` `{ evm, solana, tron, bitcoin }` (addresses): DEV ONLY — pays test
 *      coins and stablecoins to each.
 *
 * The chains stop on SIGINT / SIGTERM (and when the process exits).
 */
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import {
  startLocalBitcoin,
  startLocalChain,
  startLocalSolana,
  startLocalTron,
  type LocalBitcoin,
  type LocalChain,
  type LocalSolana,
  type LocalTron,
} from 'coffer/testing'

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url))
const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url))

/** `coffer` → src/index.ts, `coffer/evm` → src/chains/evm/index.ts, … (from subpaths.json). */
const ALIAS = Object.fromEntries(
  Object.entries(JSON.parse(readFileSync(root('subpaths.json'), 'utf8')) as Record<string, string>).map(([key, file]) => [
    key === '.' ? 'coffer' : `coffer/${key.slice(2)}`,
    root(file),
  ]),
)

/** Fiat prices the page shows (USD). Test coins are worth nothing; these make the totals readable. */
const PRICES = { ETH: '3000', SOL: '150', TRX: '0.25', BTC: '90000', USDC: '1', USDT: '1' }

/** What the faucet gives, per chain. */
const FAUCET = {
  evm: { eth: '1', USDC: '1000', USDT: '1000' },
  solana: { SOL: '1', USDC: '500' },
  tron: { TRX: '100', USDT: '500' },
  bitcoin: '0.01',
} as const

/** The four local chains behind the page. */
export interface WebWalletChains {
  readonly evm: LocalChain<'USDC' | 'USDT'>
  readonly solana: LocalSolana
  readonly tron: LocalTron
  readonly bitcoin: LocalBitcoin
}

/** A running web wallet server. */
export interface WebWallet {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string
  /** The local EVM chain behind it (for tests: read balances, mine). */
  readonly chain: LocalChain<'USDC' | 'USDT'>
  /** All four local chains. */
  readonly chains: WebWalletChains
  stop(): Promise<void>
}

/** Bundles the page (browser, ESM, one file). */
async function bundleApp(): Promise<string> {
  const result = await build({
    entryPoints: [here('./app.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    alias: ALIAS,
  })
  return result.outputFiles[0]!.text
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body))
}

async function readBody(req: IncomingMessage, limit = 10_000): Promise<string> {
  let text = ''
  for await (const chunk of req) {
    text += String(chunk)
    if (text.length > limit) throw new Error('body too large')
  }
  return text
}

/** Passes `req` on to `target` (a node's URL with the rest of the path and the query) and its answer back. */
async function forward(req: IncomingMessage, res: ServerResponse, target: string): Promise<void> {
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req, 5_000_000)
  const answer = await fetch(target, {
    method: req.method,
    headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
    ...(body === undefined ? {} : { body }),
  })
  res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json', 'cache-control': 'no-store' })
  res.end(Buffer.from(await answer.arrayBuffer()))
}

/** Starts the four chains; stops those already started when one fails. */
async function startChains(): Promise<WebWalletChains> {
  const started = await Promise.allSettled([
    startLocalChain({ tokens: ['USDC', 'USDT'] }),
    startLocalSolana({ tokens: ['USDC'], slotMs: 400 }),
    // Blocks every 500 ms: TRON balances are read at the solidified block, 19 blocks behind the head.
    startLocalTron({ tokens: ['USDT'], blockMs: 500 }),
    startLocalBitcoin(),
  ])
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failed) {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)))
    throw failed.reason
  }
  const [evmChain, solana, tron, bitcoin] = started.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
    LocalChain<'USDC' | 'USDT'>,
    LocalSolana,
    LocalTron,
    LocalBitcoin,
  ]
  return { evm: evmChain, solana, tron, bitcoin }
}

const stopChains = (chains: WebWalletChains) =>
  Promise.all([chains.evm.stop(), chains.solana.stop(), chains.tron.stop(), chains.bitcoin.stop()])

/** Starts the chains and the page server on 127.0.0.1:`port` (0: a free port). */
export async function startWebWallet({ port = 0 }: { port?: number } = {}): Promise<WebWallet> {
  const chains = await startChains()
  try {
    const [js, html] = [await bundleApp(), readFileSync(here('./index.html'), 'utf8')]
    const nodes: Record<string, string> = {
      evm: chains.evm.rpcUrl,
      solana: chains.solana.rpcUrl,
      tron: chains.tron.apiUrl,
      bitcoin: chains.bitcoin.esploraUrl,
    }
    const config = {
      evm: { chainId: chains.evm.chainId, rpcUrl: '/chain/evm', tokens: chains.evm.adapterTokens },
      solana: { chainId: chains.solana.chainId, rpcUrl: '/chain/solana', tokens: chains.solana.adapterTokens },
      tron: { chainId: chains.tron.chainId, apiUrl: '/chain/tron', tokens: chains.tron.adapterTokens },
      bitcoin: { chainId: chains.bitcoin.chainId, esploraUrl: '/chain/bitcoin' },
    }
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      const path = url.pathname
      const gateway = /^\/chain\/(evm|solana|tron|bitcoin)(\/.*)?$/.exec(path)
      if (gateway) {
        const target = `${nodes[gateway[1]!]!.replace(/\/$/, '')}${gateway[2] ?? ''}${url.search}`
        forward(req, res, target).catch((error: unknown) => json(res, 502, { error: String((error as Error)?.message ?? error) }))
        return
      }
      if (req.method === 'GET' && path === '/') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html)
      if (req.method === 'GET' && path === '/app.js')
        return void res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(js)
      if (req.method === 'GET' && path === '/api/config') return json(res, 200, config)
      if (req.method === 'GET' && path === '/api/prices') return json(res, 200, { currency: 'usd', prices: PRICES })
      if (req.method === 'POST' && path === '/api/faucet') {
        // DEV ONLY: a real wallet has no faucet; this pays test coins on the local chains.
        readBody(req)
          .then(async (text) => {
            const to = JSON.parse(text) as Partial<Record<keyof WebWalletChains, unknown>>
            if (![to.evm, to.solana, to.tron, to.bitcoin].every((a) => typeof a === 'string'))
              return json(res, 400, { error: 'evm, solana, tron and bitcoin addresses are needed' })
            await Promise.all([
              chains.evm.fund(to.evm as string, FAUCET.evm),
              chains.solana.fund(to.solana as string, FAUCET.solana),
              chains.tron.fund(to.tron as string, FAUCET.tron),
              chains.bitcoin.fund(to.bitcoin as string, FAUCET.bitcoin, { confirmed: true }),
            ])
            json(res, 200, { funded: to, ...FAUCET })
          })
          .catch((error: unknown) => json(res, 400, { error: String((error as Error)?.message ?? error) }))
        return
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve())
    })
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    return {
      url: `http://127.0.0.1:${address.port}/`,
      chain: chains.evm,
      chains,
      async stop() {
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
        await stopChains(chains)
      },
    }
  } catch (error) {
    await stopChains(chains)
    throw error
  }
}

// `npm run web-wallet [port]`
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const wallet = await startWebWallet({ port: Number(process.argv[2] ?? process.env.PORT ?? 5173) })
  console.log(`coffer web wallet: ${wallet.url}`)
  const { evm, solana, tron, bitcoin } = wallet.chains
  console.log(`local chains: ${evm.chainId}, ${solana.chainId}, ${tron.chainId}, ${bitcoin.chainId} (Ctrl-C stops them)`)
  const stop = () => void wallet.stop().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
