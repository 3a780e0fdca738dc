/**
 * Track a wallet's balances live: a Portfolio watches two accounts on a local chain, prints
 * every incoming and outgoing transfer as it happens, then a table of balances with totals
 * and fiat values, and the history as CSV.
 *
 *   npx tsx examples/track-balances.ts
 *
 * It starts a local chain with test stablecoins (coffer/testing: anvil, no internet). On real chains, pass one
 * adapter per chain — evm({ chain: 'eip155:1', rpcUrls: […] }), evm({ chain: 'eip155:137', … }),
 * bitcoin({ … }) — and httpPrices() for market prices.
 */
import { fixedPrices, formatAmount, parseAmount, Portfolio, type PortfolioSnapshot, type PortfolioTransfer } from 'coffer'
import { evm } from 'coffer/evm'
import { generateMnemonic } from 'coffer/keys'
import { startLocalChain } from 'coffer/testing'
import { memoryStorage, Vault } from 'coffer/vault'

const local = await startLocalChain({ tokens: ['USDT', 'USDC'] })
try {
  // 1. Two accounts of one wallet.
  const vault = await Vault.create({ storage: memoryStorage(), password: 'example', kdf: { name: 'pbkdf2-sha256' } })
  const { id } = await vault.addMnemonic({ mnemonic: process.env.COFFER_MNEMONIC ?? generateMnemonic() })
  const alice = await vault.getSigner({ secretId: id, chain: 'evm', index: 0 })
  const bob = await vault.getSigner({ secretId: id, chain: 'evm', index: 1 })

  // 2. The chain's adapter, knowing the test stablecoins (with their families, for totals).
  const adapter = evm({ chain: local.chain, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens })
  const USDT = local.tokens.USDT.assetId
  const USDC = local.tokens.USDC.assetId
  await local.fund(alice.address, { eth: '2', USDT: '1000', USDC: '500' })

  // 3. The portfolio. Prices are fixed here; stablecoins count as 1.00 only because we say so.
  const portfolio = new Portfolio({
    adapters: [adapter],
    accounts: [
      { chainId: local.chainId, address: alice.address, label: 'alice' },
      { chainId: local.chainId, address: bob.address, label: 'bob' },
    ],
    priceSource: fixedPrices({ prices: { [adapter.nativeAsset]: '3000', [USDT]: '1', [USDC]: '0.9999' } }),
  })
  const name = (address: string) => (address === alice.address ? 'alice' : address === bob.address ? 'bob' : `${address.slice(0, 10)}…`)
  const say = (t: PortfolioTransfer) => `${formatAmount(t.amount, t.decimals)} ${t.symbol}`
  let transfers = 0
  portfolio.on('incoming', (t) => {
    transfers++
    console.log(`  ↓ ${t.label}: received ${say(t)} from ${name(t.from)} (block ${t.blockHeight}, ${t.hash.slice(0, 12)}…)`)
  })
  portfolio.on('outgoing', (t) => {
    transfers++
    console.log(`  ↑ ${t.label}: sent ${say(t)} to ${name(t.to)} (block ${t.blockHeight}, ${t.hash.slice(0, 12)}…)`)
  })
  portfolio.on('error', ({ chainId, error }) => console.log(`  ! ${chainId ?? 'prices'}: ${error.shortMessage}`))

  // 4. Watch, then move money: alice pays bob twice, and someone else pays alice.
  console.log('Watching…')
  portfolio.watch({ intervalMs: 100 })
  await new Promise<void>((resolve) => portfolio.once('refresh', () => resolve()))
  await adapter.sendTransfer(
    await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: USDT, amount: parseAmount('250.5', 6) }),
    alice,
  )
  await adapter.sendTransfer(
    await adapter.quoteTransfer({ from: alice.address, to: bob.address, asset: USDC, amount: parseAmount('100', 6) }),
    alice,
  )
  await local.fund(alice.address, { USDT: '42' })
  while (transfers < 5) await new Promise((r) => setTimeout(r, 50))
  await portfolio.stop()

  // 5. The portfolio table with totals.
  printTable(await portfolio.refresh())

  // 6. The history, as CSV for a spreadsheet.
  console.log('\nHistory (CSV):')
  console.log((await portfolio.toCSV()).trimEnd())
  vault.lock()
} finally {
  await local.stop()
}

function printTable(snapshot: PortfolioSnapshot): void {
  const lines = snapshot.balances
    .filter((b) => b.amount > 0n)
    .map((b) => [b.label ?? b.account, b.symbol, formatAmount(b.amount, b.decimals), b.value ?? '—'])
  const totals = snapshot.totals
    .filter((t) => t.amount > 0n)
    .map((t) => ['total', t.symbol, formatAmount(t.amount, t.decimals), t.value ?? '—'])
  // A local chain is a test network: its value sums apart (testnetValue), never into mainnet value.
  const sections = [
    [['account', 'asset', 'amount', 'value (USD)']],
    lines,
    [...totals, ['total', 'test networks', '', snapshot.testnetValue ?? '—']],
  ]
  const widths = [0, 1, 2, 3].map((c) => Math.max(...sections.flat().map((row) => row[c]!.length)))
  const format = (row: string[]) => `  ${row.map((cell, c) => (c >= 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ')}`
  console.log('\nPortfolio:')
  console.log(sections.map((rows) => rows.map(format).join('\n')).join(`\n  ${widths.map((w) => '-'.repeat(w)).join('  ')}\n`))
}
