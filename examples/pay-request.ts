/**
 * Pay a payment request: a fresh wallet on a local chain, a daily limit of 100 USDT, a
 * merchant's EIP-681 URI (shown as a QR code) paid, a second request refused by the limit, and
 * the tamper-evident journal of both.
 *
 *   npx tsx examples/pay-request.ts
 *
 * It starts a local chain with a USDT-like token (coffer/testing: anvil, no internet). On a real chain, pass
 * evm({ chain: 'eip155:1', rpcUrls: […] }) and keep the wallet in fileStorage('wallet').
 */
import { CofferError, formatAmount, formatPaymentUri, parseAmount, parsePaymentUri, paymentQr, Wallet } from 'coffer'
import { evm } from 'coffer/evm'
import { startLocalChain } from 'coffer/testing'
import { memoryStorage } from 'coffer/vault'

const local = await startLocalChain({ tokens: ['USDT'] })
try {
  // 1. A fresh wallet on the chain, with a daily limit on USDT (every chain's USDT together).
  const usdt = local.tokens.USDT
  const adapter = evm({ chain: local.chain, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens })
  const wallet = await Wallet.create({
    storage: memoryStorage(),
    password: 'correct horse battery staple',
    kdf: { name: 'pbkdf2-sha256' },
    chains: [adapter],
    policy: { limits: [{ asset: 'USDT', perWindow: '100' }] },
  })
  const [account] = wallet.accounts()
  console.log(`Wallet account: ${account!.address}`)
  await local.fund(account!.address, { eth: '1', USDT: '500' })

  // 2. A merchant asks for 42.50 USDT with an EIP-681 URI (usually scanned from a QR code).
  const merchant = '0x000000000000000000000000000000000000bEEF'
  const USDT = usdt.assetId
  const uri = formatPaymentUri({
    scheme: 'ethereum',
    chainId: local.chainId,
    to: merchant,
    asset: USDT,
    amount: parseAmount('42.5', usdt.decimals),
  })
  console.log(`\nPayment request:\n  ${uri}`)
  console.log((await paymentQr(uri, { format: 'terminal' })).replace(/^/gm, '  '))

  // 3. Quote it (fee included, funds checked) and pay it: policy → vault signature → broadcast → journal.
  const quote = await wallet.quote(parsePaymentUri(uri))
  console.log(
    `Quote: ${formatAmount(quote.amount, quote.decimals)} ${quote.symbol} to ${quote.to}, fee up to ${formatAmount(quote.fee.amount, quote.feeDecimals)} ${quote.feeSymbol}`,
  )
  const hash = await wallet.send(quote)
  const status = await adapter.waitForTransaction(hash)
  console.log(`Paid: ${hash} (${status.state} in block ${status.blockHeight})`)

  // 4. A second request, for 80 USDT, would pass the daily limit: refused before anything is signed.
  const second = formatPaymentUri({
    scheme: 'ethereum',
    chainId: local.chainId,
    to: merchant,
    asset: USDT,
    amount: parseAmount('80', usdt.decimals),
  })
  try {
    await wallet.send(await wallet.quote(parsePaymentUri(second)))
  } catch (error) {
    if (!(error instanceof CofferError)) throw error
    console.log(`Refused: ${error.shortMessage}`)
  }

  // 5. The journal: every signature and refusal, each entry chained to the one before.
  console.log('\nJournal:')
  for (const e of await wallet.journal.entries()) {
    const what = `${formatAmount(BigInt(e.amount ?? '0'), 6)} USDT to ${e.to}`
    // Each payment: `intent` before signing, `signed` with its hash before the broadcast, then `sent`.
    console.log(
      `  #${e.seq} ${e.time} ${e.kind.padEnd(11)} ${what} ${e.decision.allowed ? `${e.status}${e.hash ? ` hash ${e.hash}` : ''}` : `refused (${e.decision.rule})`}`,
    )
    console.log(`      prev ${e.prev.slice(0, 16)}…  digest ${e.digest.slice(0, 16)}…`)
  }
  const check = await wallet.journal.verify()
  console.log(`Journal verifies: ${check.ok} (${check.count} entries, head ${check.head?.digest.slice(0, 16)}…)`)
  wallet.lock()
} finally {
  await local.stop()
}
