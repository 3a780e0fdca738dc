/**
 * `npm run demo:tron`: paying USDT on TRON, and what the energy and bandwidth cost, with no
 * configuration and no internet. It starts a local TRON backend with coffer/testing (a
 * TronGrid-shaped server whose Tether-like TRC-20 runs on anvil, priced with mainnet's chain
 * parameters), creates a wallet, funds its first account with TRX and USDT, quotes a USDT payment
 * to an address that holds no USDT yet (the costly case: a new storage slot in the token), pays
 * it, compares the TRX that burned with the quote, then pays the same address again — cheaper,
 * now that it holds USDT — and shows the refusal an account holding only USDT gets.
 *
 *   npm run demo:tron
 *
 * Energy here is the EVM gas anvil measures (about 17k to a holder, 34k to a new holder); on
 * mainnet USDT takes about 65k and 130k, its dynamic-energy penalty included. See docs/tron-fees.md.
 * On a real network: tron({ network: 'mainnet', apiUrls: ['https://api.trongrid.io'], apiKey }).
 */
import { formatAmount, InsufficientFundsError, Wallet, type WalletQuote } from 'coffer'
import { tron } from 'coffer/tron'
import { startLocalTron } from 'coffer/testing'
import { memoryStorage } from 'coffer/vault'

let step = 0
const say = (text: string) => console.log(`\n${++step}. ${text}`)
const trx = (sun: bigint) => `${formatAmount(sun, 6)} TRX`
const n = (value: string | bigint) => BigInt(value).toLocaleString('en-US')

/** A quote's `fee.details`, in words. */
function explain(quote: WalletQuote, p: { readonly energyFee: number }): void {
  const d = quote.fee.details as { [field: string]: string }
  const energy = BigInt(d.energyNeeded!)
  const covered = BigInt(d.energyCovered!)
  const price = `${p.energyFee} sun each`
  const burned = trx(BigInt(d.energyBurn!))
  const how =
    covered === energy
      ? 'all covered by staked energy: burn 0 TRX'
      : covered > 0n
        ? `${n(covered)} covered by staked energy, ${n(energy - covered)} burn at ${price}: ${burned}`
        : `no staked energy, all burn at ${price}: ${burned}`
  console.log(`   energy:    ${n(energy)} (${how})`)
  const bytes = BigInt(d.bandwidthNeeded!)
  const burn = BigInt(d.bandwidthBurn!)
  console.log(
    `   bandwidth: ${n(bytes)} bytes (${burn > 0n ? `not covered by what is left of the free 600 a day: burn ${trx(burn)}` : 'covered by the free 600 a day: burn 0 TRX'})`,
  )
  console.log(`   fee_limit: ${trx(BigInt(d.feeLimit!))} (the energy + 20 %, the most the energy may burn)`)
  console.log(`   burns ${trx(quote.fee.expected!)} if the estimate holds, at most ${trx(quote.fee.amount)} (fee.amount)`)
}

say('Starting a local TRON backend (TronGrid API, a Tether-like USDT on anvil)…')
const local = await startLocalTron({ tokens: ['USDT'] })
try {
  const adapter = tron({ chain: local.chainId, apiUrls: [local.apiUrl], tokens: local.adapterTokens })
  const usdt = local.adapterTokens.find((t) => t.symbol === 'USDT')!
  const p = local.parameters
  console.log(`   ${local.apiUrl}, chain ${local.chainId}; USDT at ${usdt.address}`)
  console.log(
    `   prices (getchainparameters): energy ${p.energyFee} sun, bandwidth ${p.transactionFee} sun/byte, free bandwidth ${p.freeNetLimit} bytes a day`,
  )

  say('Creating a wallet and funding its first account with 100 TRX and 1000 USDT…')
  const wallet = await Wallet.create({
    storage: memoryStorage(),
    password: 'demo password, use a real one',
    kdf: { name: 'pbkdf2-sha256' },
    chains: [adapter],
  })
  const payer = wallet.accounts()[0]!
  const shop = await wallet.account(adapter.chainId, { index: 1, label: 'shop' })
  await local.fund(payer.address, { TRX: '100', USDT: '1000' })
  console.log(`   payer (account 0): ${payer.address}`)
  console.log(`   shop  (account 1): ${shop.address} (holds nothing, not even an account on chain)`)

  const pay = async (label: string) => {
    const quote = await wallet.quote({ from: payer, to: shop.address, asset: 'USDT', amount: '25' })
    say(`Quoting 25 USDT to the shop (${label})…`)
    explain(quote, p)
    const hash = await wallet.send(quote)
    await local.mine(1)
    const status = await adapter.waitForTransaction(hash, { confirmations: 1, pollIntervalMs: 50 })
    const landed = status.fee!.amount
    console.log(
      `   paid ${hash.slice(0, 16)}…: ${status.state} in block ${status.blockHeight}; burned ${trx(landed)}, quoted at most ${trx(quote.fee.amount)} (${landed <= quote.fee.amount ? 'within' : 'OVER'} the quote)`,
    )
    return BigInt((quote.fee.details as { energyNeeded: string }).energyNeeded)
  }

  const first = await pay('it holds no USDT: the token writes a new balance slot')
  const second = await pay('it holds USDT now')
  say('Comparing the two…')
  console.log(`   energy to a new holder ${n(first)}, to a holder ${n(second)}: ${n(first - second)} less`)

  say('The same payment with 100,000 staked energy (frozen or delegated TRX)…')
  local.setResources(payer.address, { energy: 100_000 })
  explain(await wallet.quote({ from: payer, to: shop.address, asset: 'USDT', amount: '25' }), p)

  say('An account holding only USDT tries to pay…')
  const poor = await wallet.account(adapter.chainId, { index: 2 })
  await local.fund(poor.address, { USDT: '50' })
  try {
    await wallet.quote({ from: poor, to: shop.address, asset: 'USDT', amount: '10' })
    console.log('   quoted (unexpected)')
  } catch (error) {
    if (!(error instanceof InsufficientFundsError)) throw error
    console.log(`   refused before signing: ${error.shortMessage}`)
  }

  say('Balances now…')
  // A TRC-20 transfer does not activate the recipient's account: the shop still has no TRX and no
  // account on chain, only a balance in the token's storage — which getBalances reads all the same.
  for (const b of await adapter.getBalances({ addresses: [payer.address, shop.address] })) {
    if (!b.ok) continue
    const who = b.address === shop.address ? 'shop ' : 'payer'
    const symbol = b.asset === adapter.nativeAsset ? 'TRX' : 'USDT'
    console.log(`   ${who} ${symbol.padEnd(4)} ${formatAmount(b.amount, b.decimals).padStart(14)}`)
  }
  await wallet.close()
  say('Done: wallet closed (keys wiped from memory).')
} finally {
  await local.stop()
  console.log('   local TRON backend stopped.')
}
