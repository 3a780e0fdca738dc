/**
 * Browser page for test/browser/evm.test.ts: an EVM adapter talking JSON-RPC to the test
 * anvil with the page's own `fetch` (cross-origin, so CORS applies as for a real RPC), signers
 * from a vault in IndexedDB, and a watching Portfolio. Bigints cross as strings.
 */
import { Portfolio, Vault, browserStorage, type AssetId, type PortfolioTransfer, type Secp256k1Signer } from 'coffer'
import { evm, type EvmAdapter, type EvmTokenConfig } from 'coffer/evm'
import { expose } from './expose.js'

const CHAIN = 'eip155:31337'

let adapter: EvmAdapter | undefined
let signers: Secp256k1Signer[] = []
let portfolio: Portfolio | undefined
const incoming: PortfolioTransfer[] = []
let onIncoming: (() => void) | undefined

const ready = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`Call ${what} first.`)
  return value
}

const plain = (t: PortfolioTransfer) => ({
  asset: t.asset,
  symbol: t.symbol,
  amount: t.amount.toString(),
  to: t.to,
  direction: t.direction,
})

expose({
  /** The adapter on `rpcUrl`, and a vault in IndexedDB holding `mnemonic`; returns the first `count` EVM addresses. */
  async setup(rpcUrl: string, tokens: EvmTokenConfig[], mnemonic: string, count: number) {
    adapter = evm({ chain: CHAIN, rpcUrls: [rpcUrl], tokens })
    const vault = await Vault.create({
      storage: browserStorage('evm-wallet'),
      password: 'pw',
      kdf: { name: 'pbkdf2-sha256', iterations: 600_000 },
    })
    const { id } = await vault.addMnemonic({ mnemonic })
    signers = await Promise.all(Array.from({ length: count }, (_, index) => vault.getSigner({ secretId: id, chain: 'evm', index })))
    return signers.map((s) => s.address)
  },
  /** Every balance of `addresses` (the native coin and the configured tokens), as read by the adapter. */
  async balances(addresses: string[]) {
    const reads = await ready(adapter, 'setup').getBalances({ addresses })
    return reads.map((r) => (r.ok ? { address: r.address, asset: r.asset, amount: r.amount.toString() } : r))
  },
  /** Quotes, signs (signer `from`), broadcasts and waits for a transfer; returns its hash and final state. */
  async send(from: number, to: string, asset: string, amount: string) {
    const a = ready(adapter, 'setup')
    const signer = ready(signers[from], 'setup')
    const quote = await a.quoteTransfer({ from: signer.address, to, asset: asset as AssetId, amount: BigInt(amount) })
    const hash = await a.sendTransfer(quote, signer)
    const status = await a.waitForTransaction(hash)
    return { hash, state: status.state }
  },
  /** A portfolio over `address`, watching; resolves after its first snapshot. */
  async watch(address: string) {
    const p = new Portfolio({ adapters: [ready(adapter, 'setup')], accounts: [`${CHAIN}:${address}`] })
    portfolio = p
    p.on('incoming', (transfer) => {
      incoming.push(transfer)
      onIncoming?.()
    })
    const first = new Promise<void>((resolve) => p.once('refresh', () => resolve()))
    p.watch({ intervalMs: 50 })
    await first
  },
  /** The incoming transfers seen so far, waiting for the first one if there is none yet. */
  async incoming() {
    if (!incoming.length) await new Promise<void>((resolve) => (onIncoming = resolve))
    return incoming.map(plain)
  },
  async stopWatching() {
    await portfolio?.stop()
  },
  /** A JSON-RPC POST with the page's fetch, as viem makes it; returns the result, or the error's name. */
  async rpc(url: string, method: string) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }),
      })
      return { result: ((await response.json()) as { result?: unknown }).result }
    } catch (error) {
      return { error: (error as Error).name }
    }
  },
})
