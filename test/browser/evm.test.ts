/**
 * EVM in real headless Chromium (test/browser/pages/evm.ts): balances and sends against the
 * shared test anvil through the page's `fetch` — cross-origin from the page's 127.0.0.1 port
 * to anvil's, so the browser's CORS rules apply as they do to a real RPC — and a watching
 * Portfolio's `incoming` event when funds arrive. Outcomes are checked on anvil from Node.
 */
import { createServer, type Server } from 'node:http'
import { describe, expect, inject, it, onTestFinished } from 'vitest'
import { deriveAccount, generateMnemonic, mnemonicToSeed } from 'coffer/keys'
import { mintTokens, rpc, setBalance } from '../support/anvil.js'
import { callPage, useBrowser } from '../support/browser-page.js'

const { url: ANVIL, fixtures } = inject('anvil')
const ETH = 'eip155:31337/slip44:60'
const USDC = `eip155:31337/erc20:${fixtures.usdc.address.toLowerCase()}`
const TOKENS = [fixtures.usdc, fixtures.dai].map(({ address, symbol, decimals, name }) => ({
  address,
  symbol,
  decimals,
  name,
  family: symbol,
}))

const browser = useBrowser()

/** A fresh mnemonic (fresh, unfunded addresses on the shared anvil) and its first EVM addresses, as Node derives them. */
async function freshWallet(count: number): Promise<{ mnemonic: string; addresses: `0x${string}`[] }> {
  const mnemonic = generateMnemonic()
  const seed = await mnemonicToSeed(mnemonic)
  const addresses = Array.from({ length: count }, (_, index) => deriveAccount(seed, { chain: 'evm', index }).address as `0x${string}`)
  return { mnemonic, addresses }
}

async function usdcOf(address: string): Promise<bigint> {
  const data = `0x70a08231${address.slice(2).toLowerCase().padStart(64, '0')}` // balanceOf(address)
  return BigInt(await rpc<string>(ANVIL, 'eth_call', [{ to: fixtures.usdc.address, data }, 'latest']))
}

describe('EVM in Chromium, against anvil', () => {
  it('the browser enforces CORS (a server without CORS headers is refused) and anvil answers cross-origin', async () => {
    const closed: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"result":"0x1"}'))
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    onTestFinished(() => new Promise<void>((resolve) => closed.close(() => resolve())))
    const port = (closed.address() as { port: number }).port
    const page = await browser.open('evm')
    expect(await callPage(page, 'rpc', `http://127.0.0.1:${port}/`, 'eth_chainId')).toEqual({ error: 'TypeError' })
    expect(await callPage(page, 'rpc', ANVIL, 'eth_chainId')).toEqual({ result: '0x7a69' })
  })

  it('reads balances and sends ETH and USDC from a vault signer; anvil shows the result', async () => {
    const { mnemonic, addresses } = await freshWallet(2)
    const [alice, bob] = addresses as [`0x${string}`, `0x${string}`]
    await setBalance(ANVIL, alice, 10n ** 18n)
    await mintTokens(ANVIL, fixtures.usdc.address, alice, 5_000_000n)
    const page = await browser.open('evm')
    expect(await callPage(page, 'setup', ANVIL, TOKENS, mnemonic, 2)).toEqual(addresses)

    const before = await callPage<{ address: string; asset: string; amount: string }[]>(page, 'balances', [alice])
    expect(before).toEqual(
      expect.arrayContaining([
        { address: alice, asset: ETH, amount: (10n ** 18n).toString() },
        { address: alice, asset: USDC, amount: '5000000' },
      ]),
    )

    expect(await callPage(page, 'send', 0, bob, ETH, '123456789')).toMatchObject({ state: 'confirmed' })
    expect(BigInt(await rpc<string>(ANVIL, 'eth_getBalance', [bob, 'latest']))).toBe(123_456_789n)
    expect(await callPage(page, 'send', 0, bob, USDC, '1250000')).toMatchObject({ state: 'confirmed' })
    expect(await usdcOf(bob)).toBe(1_250_000n)
    expect(await usdcOf(alice)).toBe(3_750_000n)
  })

  it('a watching Portfolio reports incoming funds', async () => {
    const { mnemonic, addresses } = await freshWallet(1)
    const [carol] = addresses as [`0x${string}`]
    const page = await browser.open('evm')
    await callPage(page, 'setup', ANVIL, TOKENS, mnemonic, 1)
    await callPage(page, 'watch', carol)
    await mintTokens(ANVIL, fixtures.usdc.address, carol, 7_000_000n)
    expect(await callPage(page, 'incoming')).toEqual([{ asset: USDC, symbol: 'USDC', amount: '7000000', to: carol, direction: 'in' }])
    await callPage(page, 'stopWatching')
  })
})
