/**
 * The web wallet's development server: `npm run web-wallet`.
 *
 * 1. starts a local EVM chain (anvil, from `coffer/testing`) with USDC and USDT;
 * 2. bundles app.ts for the browser with esbuild (`coffer` and `coffer/*` resolve to the
 *    repository's src/ through an alias, as bench/bundle/size.ts does; an app outside this
 *    repository imports the installed package instead);
 * 3. serves the page on 127.0.0.1 with three small JSON endpoints:
 *    - `GET /api/config`: the chain's RPC URL, chain id and tokens;
 *    - `GET /api/prices`: fixed fiat prices (the page feeds them to coffer's `fixedPrices`);
 *    - `POST /api/faucet` `{ address }`: DEV ONLY — mints test ETH, USDC and USDT to an address.
 *
 * The chain stops on SIGINT / SIGTERM (and when the process exits).
 */
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { startLocalChain, type LocalChain } from 'coffer/testing'

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url))
const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url))

/** `coffer` → src/index.ts, `coffer/evm` → src/chains/evm/index.ts, … (from subpaths.json). */
const ALIAS = Object.fromEntries(
  Object.entries(JSON.parse(readFileSync(root('subpaths.json'), 'utf8')) as Record<string, string>).map(([key, file]) => [
    key === '.' ? 'coffer' : `coffer/${key.slice(2)}`,
    root(file),
  ]),
)

/** Fiat prices the page shows (USD). Test tokens are worth nothing; these make the totals readable. */
const PRICES = { ETH: '3000', USDC: '1', USDT: '1' }

/** What the faucet gives. */
const FAUCET = { eth: '1', USDC: '1000', USDT: '1000' } as const

/** A running web wallet server. */
export interface WebWallet {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string
  /** The local chain behind it (for tests: read balances, mine). */
  readonly chain: LocalChain<'USDC' | 'USDT'>
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

async function readBody(req: IncomingMessage): Promise<string> {
  let text = ''
  for await (const chunk of req) {
    text += String(chunk)
    if (text.length > 10_000) throw new Error('body too large')
  }
  return text
}

/** Starts the chain and the page server on 127.0.0.1:`port` (0: a free port). */
export async function startWebWallet({ port = 0 }: { port?: number } = {}): Promise<WebWallet> {
  const chain = await startLocalChain({ tokens: ['USDC', 'USDT'] })
  try {
    const [js, html] = [await bundleApp(), readFileSync(here('./index.html'), 'utf8')]
    const config = { rpcUrl: chain.rpcUrl, chainId: chain.chainId, tokens: chain.adapterTokens }
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname
      if (req.method === 'GET' && path === '/') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html)
      if (req.method === 'GET' && path === '/app.js')
        return void res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(js)
      if (req.method === 'GET' && path === '/api/config') return json(res, 200, config)
      if (req.method === 'GET' && path === '/api/prices') return json(res, 200, { currency: 'usd', prices: PRICES })
      if (req.method === 'POST' && path === '/api/faucet') {
        // DEV ONLY: a real wallet has no faucet; this mints test tokens on the local chain.
        readBody(req)
          .then(async (text) => {
            const { address } = JSON.parse(text) as { address?: unknown }
            if (typeof address !== 'string') return json(res, 400, { error: 'address must be a string' })
            await chain.fund(address, FAUCET)
            json(res, 200, { funded: address, ...FAUCET })
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
      chain,
      async stop() {
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
        await chain.stop()
      },
    }
  } catch (error) {
    await chain.stop()
    throw error
  }
}

// `npm run web-wallet [port]`
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const wallet = await startWebWallet({ port: Number(process.argv[2] ?? process.env.PORT ?? 5173) })
  console.log(`coffer web wallet: ${wallet.url}`)
  console.log(`local chain ${wallet.chain.chainId} at ${wallet.chain.rpcUrl} (Ctrl-C stops both)`)
  const stop = () => void wallet.stop().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
