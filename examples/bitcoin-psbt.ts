/**
 * Bitcoin with PSBTs: a BIP-84 account from a mnemonic, its addresses, a transfer built as a
 * PSBT (what a hardware wallet or a co-signer would receive), signed, finalized, broadcast.
 *
 *   npx tsx examples/bitcoin-psbt.ts
 *
 * It runs against a local regtest backend from coffer/testing: an Esplora-shaped server that
 * verifies every signature with bitcoinjs-lib and libsecp256k1 (no internet). On mainnet use
 * bitcoin({ network: 'mainnet', esploraUrl: 'https://blockstream.info/api' }).
 */
import { formatAmount, parseAmount } from 'coffer'
import { bitcoin, BITCOIN_CHAINS } from 'coffer/bitcoin'
import { startLocalBitcoin } from 'coffer/testing'
import { memoryStorage, Vault } from 'coffer/vault'

const MNEMONIC =
  process.env.COFFER_MNEMONIC ?? 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
const node = await startLocalBitcoin()
try {
  // 1. The account: BIP-84 (native segwit) account 0 of the mnemonic, held in a vault.
  const vault = await Vault.create({ storage: memoryStorage(), password: 'example', kdf: { name: 'pbkdf2-sha256' } })
  const { id } = await vault.addMnemonic({ mnemonic: MNEMONIC })
  const account = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest', addressType: 'p2wpkh' })
  console.log(`Account ${account.accountPath}, descriptor:\n  ${account.descriptor}`)

  // 2. The adapter, and money on the first two receive addresses.
  const btc = bitcoin({ network: 'regtest', esploraUrl: node.esploraUrl })
  const first = account.child(0, 0).address
  const second = account.child(0, 1).address
  await node.fund(first, '0.015') // BTC, as a decimal string (or satoshis as a bigint)
  await node.fund(second, 250_000n)
  const state = await btc.discoverAccount(account.descriptor)
  console.log(
    `Discovered ${state.used.length} used addresses, balance ${formatAmount(state.balance.confirmed, 8)} BTC; next receive ${state.nextReceive.address}`,
  )

  // 3. Quote (coin selection + fee at the "normal" rate) and build the PSBT.
  const savings = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest', account: 1 })
  const to = savings.child(0, 0).address // another account of the same wallet
  const quote = await btc.quoteTransfer({
    from: account.descriptor,
    to,
    asset: BITCOIN_CHAINS.regtest.nativeAsset,
    amount: parseAmount('0.012', 8),
  })
  console.log(`Quote: ${formatAmount(quote.amount, 8)} BTC to ${to}, fee ${quote.fee.amount} sat at ${quote.details.feeRate} sat/vB`)
  const unsigned = await btc.buildTransfer(quote)
  console.log(`Unsigned PSBT (base64, for a hardware wallet or co-signer):\n  ${unsigned.payload.psbt}`)

  // 4. Sign (here with the vault's account signer), finalize, broadcast.
  const signedPsbt = await btc.signPsbt(unsigned.payload.psbt as string, account)
  console.log(`Signed PSBT:\n  ${signedPsbt}`)
  const final = btc.finalizePsbt(signedPsbt, account.descriptor)
  console.log(`Final transaction ${final.hash}:\n  ${final.raw}`)
  const txid = await btc.broadcast(final)
  await node.mine()
  const status = await btc.getTransaction(txid)
  console.log(`Broadcast ${txid}: ${status.state}, ${status.confirmations} confirmation(s), fee ${status.fee?.amount} sat`)
  vault.lock()
} finally {
  await node.stop()
}
