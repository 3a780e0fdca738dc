/** README, "TRON: TRX and USDT": the snippet between the region markers, run on a local TRON backend. */
import { Vault, memoryStorage } from 'coffer/vault'
import { startLocalTron } from 'coffer/testing'

const local = await startLocalTron({ tokens: ['USDT'] })
const vault = await Vault.create({ storage: memoryStorage(), password: 'a long passphrase of your own', kdf: { name: 'pbkdf2-sha256' } })
const { id: secretId } = await vault.addMnemonic()
const shop = 'TN22oBWMZx4vBzo1V2coMJMuN2tcun9R5w'
const payer = await vault.getSigner({ secretId, chain: 'tron' })
await local.fund(payer.address, { TRX: '50', USDT: '100' })

// #region readme
import { tron } from 'coffer/tron'

const trx = tron({ chain: local.chainId, apiUrls: [local.apiUrl], tokens: local.adapterTokens }) // or { network: 'mainnet', apiUrls: ['https://api.trongrid.io'], apiKey }
const signer = await vault.getSigner({ secretId, chain: 'tron' })           // m/44'/195'/0'/0/0, TronLink's path
const USDT = (await trx.assets()).find((a) => a.symbol === 'USDT')!.id
const quote = await trx.quoteTransfer({ from: signer.address, to: shop, asset: USDT, amount: 12_500_000n })
const { energyNeeded, energyBurn, bandwidthNeeded, bandwidthBurn } = quote.fee.details as Record<string, string>
console.log(energyNeeded, energyBurn, bandwidthNeeded, bandwidthBurn)       // energy and bytes, and the sun each burns
console.log(quote.fee.expected, quote.fee.amount)                          // sun it should burn; the most it can (fee_limit + bandwidth)
const unsigned = await trx.buildTransfer(quote, { expirationMs: 600_000 })  // valid 10 minutes (default 60 s), for a signer further away
const signed = await trx.signTransaction(unsigned, signer)                 // offline; raw_data is decoded and checked against its summary
const hash = await trx.broadcast(signed)
// #endregion readme

await local.mine(1)
const status = await trx.waitForTransaction(hash, { confirmations: 1, pollIntervalMs: 50 })
console.log(`${status.state}, burned ${status.fee?.amount} sun; shop holds ${await local.tokenBalanceOf(shop, 'USDT')} USDT base units`)
vault.lock()
await local.stop()
