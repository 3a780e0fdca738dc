/**
 * `npm run demo`: the whole coffer flow on an embedded chain, with no configuration and no
 * internet. It starts a local chain with coffer/testing (anvil from the
 * `@foundry-rs/anvil-linux-amd64` package, or ANVIL_PATH, on a free loopback port, with a
 * USDT-like and a USDC-like token), creates a wallet (an encrypted vault file in a temp
 * directory), funds it, sends stablecoins to a second account under a daily limit, watches the
 * portfolio pick up the incoming transfer, lets bob — who has USDT and no ETH — pay with the fee
 * in USDT (EIP-7702 on his own address + an ERC-4337 bundler and token paymaster: the test
 * harness's alto and test paymaster, dev dependencies of this repository), shows the
 * tamper-evident journal, and stops anvil.
 *
 *   npm run demo
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CofferError, fixedPrices, formatAmount, Wallet, type PortfolioSnapshot, type PortfolioTransfer } from 'coffer'
import { evm } from 'coffer/evm'
import { startLocalChain, startLocalSponsor } from 'coffer/testing'
import { fileStorage } from 'coffer/vault'

let step = 0
const say = (text: string) => console.log(`\n${++step}. ${text}`)
const dir = mkdtempSync(join(tmpdir(), 'coffer-demo-'))

say('Starting a local chain (anvil) with a USDT-like and a USDC-like token…')
const local = await startLocalChain({ tokens: ['USDT', 'USDC'] })
try {
  const { USDT: usdt, USDC: usdc } = local.tokens
  // 3,000 USDT per ETH: the paymaster service's price of gas, in USDT base units per 10^18 wei.
  const sponsor = await startLocalSponsor(local, { exchangeRate: 3_000_000_000n })
  const adapter = evm({
    chain: local.chain,
    rpcUrls: [local.rpcUrl],
    tokens: local.adapterTokens,
    stablecoinGas: sponsor.stablecoinGas,
  })
  const USDT = usdt.assetId
  const USDC = usdc.assetId
  console.log(`   ${local.rpcUrl}, chain ${local.chainId}; USDT at ${usdt.address}, USDC at ${usdc.address}`)
  console.log(`   ERC-4337 bundler (alto) at ${sponsor.bundler.url}, USDT paymaster ${sponsor.paymaster.address}`)

  say('Creating a wallet: a new mnemonic, encrypted at rest (AES-256-GCM, scrypt) in a temp directory…')
  const wallet = await Wallet.create({
    storage: fileStorage(join(dir, 'wallet')),
    password: 'demo password, use a real one',
    chains: [adapter],
    policy: {
      limits: [
        { asset: 'USDT', perWindow: '500' },
        { asset: 'USDC', perTransaction: '250' },
      ],
    },
    priceSource: fixedPrices({ prices: { [adapter.nativeAsset]: '3000', [USDT]: '1', [USDC]: '1' } }),
  })
  const alice = wallet.accounts()[0]!
  const bob = await wallet.account(local.chainId, { index: 1, label: 'bob' })
  console.log(`   files: ${readdirSync(dir).sort().join(', ')} (the mnemonic is inside the vault, never in plain text)`)
  console.log(`   alice (account 0): ${alice.address}`)
  console.log(`   bob   (account 1): ${bob.address}`)
  console.log('   policy: at most 500 USDT a day, at most 250 USDC per transaction')

  say('Funding alice with 1 ETH (for gas), 1,000 USDT and 1,000 USDC…')
  await local.fund(alice.address, { eth: '1', USDT: '1000', USDC: '1000' })

  say('Watching the portfolio (every account, every asset)…')
  const portfolio = wallet.portfolio()
  const seen: PortfolioTransfer[] = []
  wallet.on('incoming', (t) => {
    seen.push(t)
    console.log(`   ↓ ${t.label ?? t.account}: +${formatAmount(t.amount, t.decimals)} ${t.symbol} (block ${t.blockHeight})`)
  })
  wallet.on('outgoing', (t) =>
    console.log(
      `   ↑ ${t.label ?? (t.account === alice.address ? 'alice' : t.account)}: -${formatAmount(t.amount, t.decimals)} ${t.symbol} (block ${t.blockHeight})`,
    ),
  )
  const names = new Map([
    [alice.address, 'alice'],
    [bob.address, 'bob'],
  ])
  printTable(await portfolio.refresh(), names)
  portfolio.watch({ intervalMs: 200 })

  say('Alice sends 120 USDT to bob: quote, policy check, signature in the vault, broadcast…')
  const quote = await wallet.quote({ from: alice, to: bob.address, asset: 'USDT', amount: '120' })
  console.log(
    `   quote: ${formatAmount(quote.amount, quote.decimals)} ${quote.symbol}, fee up to ${formatAmount(quote.fee.amount, quote.feeDecimals)} ${quote.feeSymbol}`,
  )
  const hash = await wallet.send(quote)
  const status = await adapter.waitForTransaction(hash)
  console.log(`   sent ${hash}: ${status.state} in block ${status.blockHeight}`)
  while (seen.length === 0) await new Promise((r) => setTimeout(r, 50))

  say('Alice tries to send 400 USDC to bob: over the 250 USDC per-transaction limit…')
  await expectRefusal('POLICY_VIOLATION', async () =>
    wallet.send(await wallet.quote({ from: alice, to: bob.address, asset: 'USDC', amount: '400' })),
  )
  say('No ETH? Pay the fee in USDT: bob has 120 USDT and 0 ETH, and pays carol 20 USDT…')
  const carol = await wallet.account(local.chainId, { index: 2, label: 'carol' })
  names.set(carol.address, 'carol')
  await expectRefusal('INSUFFICIENT_FUNDS', () => wallet.quote({ from: bob, to: carol.address, asset: 'USDT', amount: '20' }))
  const sponsored = await wallet.quote({ from: bob, to: carol.address, asset: 'USDT', amount: '20', gas: 'stablecoin' })
  const feeEth = BigInt(sponsored.fee.details.nativeAmount as string)
  console.log(
    `   quote: 20 USDT, fee at most ${formatAmount(sponsored.fee.amount, 6)} USDT (≈ ${formatAmount(feeEth, 18)} ETH), paid to paymaster ${sponsored.fee.details.paymaster as string}`,
  )
  console.log('   bob’s address is delegated to Simple7702Account v0.8 by this first operation (no new address, no ETH needed)')
  const operation = await wallet.send(sponsored)
  const landed = await adapter.waitForTransaction(operation)
  console.log(
    `   operation ${operation.slice(0, 18)}…: ${landed.state} in block ${landed.blockHeight}; fee paid ${formatAmount(landed.fee?.amount ?? 0n, 6)} USDT`,
  )
  await portfolio.stop()
  // wallet.portfolio() follows the wallet's accounts (carol is new).
  printTable(await wallet.portfolio().refresh(), names)

  say('The audit journal: every signature and refusal, each entry chained to the one before…')
  for (const e of await wallet.journal.entries()) {
    const amount = e.amount ? `${formatAmount(BigInt(e.amount), 6)} ${e.asset === USDC ? 'USDC' : 'USDT'}` : ''
    // A payment is an intent (before signing), its signed hash, then what happened to it.
    const what = e.decision.allowed
      ? `${(e.status ?? '').padEnd(6)} ${e.hash ? `${e.hash.slice(0, 18)}…` : ''}`
      : `refused (${e.decision.rule})`
    console.log(`   #${e.seq} ${e.kind.padEnd(11)} ${amount.padEnd(12)} ${what}`)
  }
  const check = await wallet.journal.verify()
  console.log(`   verify(): ${check.ok ? 'intact' : 'TAMPERED'}, ${check.count} entries`)
  wallet.lock()
  say('Done: wallet locked (keys wiped from memory).')
  await sponsor.stop()
} finally {
  await local.stop()
  rmSync(dir, { recursive: true, force: true })
  console.log('   anvil stopped, temp directory removed.')
}

/** Runs `task`, which must fail with `code`; prints the refusal. */
async function expectRefusal(code: string, task: () => Promise<unknown>): Promise<void> {
  try {
    await task()
  } catch (error) {
    if (!(error instanceof CofferError) || error.code !== code) throw error
    console.log(`   refused, nothing signed: ${error.shortMessage}`)
    return
  }
  throw new Error(`expected ${code}`)
}

function printTable(snapshot: PortfolioSnapshot, names: ReadonlyMap<string, string>): void {
  for (const b of snapshot.balances.filter((x) => x.amount > 0n)) {
    console.log(
      `   ${(names.get(b.account) ?? b.account).padEnd(6)} ${b.symbol.padEnd(5)} ${formatAmount(b.amount, b.decimals).padStart(22)}  $${b.value ?? '—'}`,
    )
  }
  console.log(`   total value: $${snapshot.testnetValue ?? '0'} (test network: kept apart from mainnet value)`)
}
