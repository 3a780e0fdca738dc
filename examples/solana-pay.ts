/**
 * `npm run demo:solana`: a USDC payment on Solana from a Solana Pay QR code, with no
 * configuration and no internet. It starts a local Solana cluster with coffer/testing (the real
 * SVM from the `litesvm` package behind Agave's JSON-RPC, with a USDC-like mint), creates a
 * wallet with a daily USDC limit, shows a shop's Solana Pay request as a QR code, pays it
 * (memo and reference in the transaction, the shop's token account created and its rent paid),
 * lets the shop find the payment by its reference, and stops the cluster.
 *
 *   npm run demo:solana
 *
 * On a real cluster: solana({ cluster: 'mainnet-beta', rpcUrls: […] }) lists the official USDC,
 * USDT and PYUSD mints, and Solana Pay URIs read as mainnet-beta by default.
 */
import { randomBytes } from 'node:crypto'
import { base58 } from '@scure/base'
import { formatAmount, formatPaymentUri, paymentQr, Wallet, type SignSummary } from 'coffer'
import { SOLANA_CLUSTERS, solana, splAssetId } from 'coffer/solana'
import { startLocalSolana } from 'coffer/testing'
import { memoryStorage } from 'coffer/vault'

let step = 0
const say = (text: string) => console.log(`\n${++step}. ${text}`)

say('Starting a local Solana cluster (litesvm behind JSON-RPC) with a USDC-like mint…')
const local = await startLocalSolana({ tokens: ['USDC'] })
try {
  const usdc = local.adapterTokens.find((t) => t.symbol === 'USDC')!
  const adapter = solana({ chain: local.chainId, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens })
  const USDC = splAssetId(adapter.chainId, usdc.mint)
  console.log(`   ${local.rpcUrl}, chain ${local.chainId}; USDC mint ${usdc.mint}`)

  say('Creating a wallet with a daily limit of 100 USDC (every chain’s USDC together)…')
  const wallet = await Wallet.create({
    storage: memoryStorage(),
    password: 'demo password, use a real one',
    kdf: { name: 'pbkdf2-sha256' },
    chains: [adapter],
    policy: { limits: [{ asset: 'USDC', perWindow: '100' }] },
  })
  const payer = wallet.accounts()[0]!
  const shop = await wallet.account(adapter.chainId, { index: 1, label: 'shop' })
  console.log(`   payer (account 0): ${payer.address}`)
  console.log(`   shop  (account 1): ${shop.address}`)

  say('Funding the payer with 1 SOL (for fees and rent) and 200 USDC…')
  await local.fund(payer.address, { SOL: '1', USDC: '200' })

  say('The shop asks for 12.50 USDC with a Solana Pay URI, shown as a QR code…')
  const reference = base58.encode(randomBytes(32))
  // Solana Pay URIs name no cluster: the shop writes a mainnet-form request, the payer knows its cluster.
  const mainnet = SOLANA_CLUSTERS['mainnet-beta'].chainId
  const uri = formatPaymentUri({
    scheme: 'solana',
    chainId: mainnet,
    to: shop.address,
    asset: splAssetId(mainnet, usdc.mint),
    amount: '12.5',
    references: [reference],
    label: 'Corner Coffee',
    message: 'Two flat whites',
    memo: 'order 42',
  })
  console.log(`   ${uri}`)
  console.log((await paymentQr(uri, { format: 'terminal' })).replace(/^/gm, '   '))

  say('The payer scans it and pays: quote, policy check, signature in the vault, broadcast…')
  const confirm = (s: SignSummary) => {
    console.log(
      `   confirm: ${formatAmount(s.amount!, s.decimals!)} ${s.symbol} to ${s.to}; fee and rent up to ${formatAmount(s.fee!.amount, s.fee!.decimals)} ${s.fee!.symbol}`,
    )
    return true
  }
  const hash = await wallet.pay(uri, { parse: { solanaChainId: adapter.chainId }, confirm })
  await local.mine(1)
  const status = await adapter.waitForTransaction(hash, { pollIntervalMs: 50 })
  console.log(
    `   paid ${hash.slice(0, 20)}…: ${status.state} in slot ${status.blockHeight}, fee ${formatAmount(status.fee!.amount, 9)} SOL`,
  )

  say('The shop finds the payment by its reference and checks amount and recipient…')
  const found = await adapter.findPayment(reference, { to: shop.address, amount: 12_500_000n, asset: USDC })
  console.log(
    `   ${found ? `found ${found.hash.slice(0, 20)}… (${found.hash === hash ? 'the payer’s transaction' : 'ANOTHER transaction'})` : 'not found'}`,
  )

  say('Balances now…')
  for (const b of await adapter.getBalances({ addresses: [payer.address, shop.address] })) {
    if (!b.ok) continue
    const who = b.address === payer.address ? 'payer' : 'shop'
    const symbol = b.asset === adapter.nativeAsset ? 'SOL' : 'USDC'
    console.log(`   ${who.padEnd(5)} ${symbol.padEnd(4)} ${formatAmount(b.amount, b.decimals).padStart(16)}`)
  }
  const check = await wallet.journal.verify()
  console.log(`   journal: ${check.ok ? 'intact' : 'TAMPERED'}, ${check.count} entries`)
  wallet.lock()
  say('Done: wallet locked (keys wiped from memory).')
} finally {
  await local.stop()
  console.log('   local cluster stopped.')
}
