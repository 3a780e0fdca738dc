/**
 * BIP-21 payment requests (https://github.com/bitcoin/bips/blob/master/bip-0021.mediawiki):
 * `bitcoin:<address>?amount=<BTC>&label=&message=`. The scheme is case-insensitive, the amount
 * is decimal BTC with at most 8 decimals, and an unknown `req-` parameter makes the whole URI
 * invalid. The network is the address's (option `bitcoinNetwork` pins it: legacy base58
 * addresses of testnet and regtest look alike and read as testnet). Bech32 addresses are
 * written in lower case.
 * @module
 */
import { assertOneOf } from '../../core/assert.js'
import { formatAmount } from '../../core/amount.js'
import type { ChainId } from '../../core/caip.js'
import {
  assetError,
  build,
  copyText,
  fail,
  parseCoinAmount,
  parseQuery,
  quote,
  refuse,
  single,
  text,
  units,
  type RequestFields,
} from '../../core/uri-syntax.js'
import { BITCOIN_NETWORKS, decodeBitcoinAddress, type BitcoinNetwork } from '../../keys/address/bitcoin.js'
import type { FamilyPaymentScheme } from '../family.js'
import { BITCOIN_CHAINS } from './networks.js'

/** CAIP-2 ids of the Bitcoin networks (bip122 genesis hash prefixes), from `BITCOIN_CHAINS`. */
export const BITCOIN_CHAIN_IDS: Readonly<Record<BitcoinNetwork, ChainId>> = Object.freeze({
  mainnet: BITCOIN_CHAINS.mainnet.caip2,
  testnet: BITCOIN_CHAINS.testnet.caip2,
  regtest: BITCOIN_CHAINS.regtest.caip2,
})

/** Most BTC that can ever exist: 21 million, in satoshis. */
const MAX_SATOSHIS = 2_100_000_000_000_000n

/** The `bitcoinNetwork` option, checked. @throws InvalidArgumentError */
function pinnedNetwork(options: { readonly [option: string]: unknown }): BitcoinNetwork | undefined {
  const value = options.bitcoinNetwork
  return value === undefined ? undefined : assertOneOf(value, 'bitcoinNetwork', BITCOIN_NETWORKS)
}

function parse(path: string, query: string | undefined, options: { readonly [option: string]: unknown }): RequestFields {
  const network = pinnedNetwork(options)
  if (path === '') fail('BIP-21 URI names no address (payment-protocol-only requests are not supported).')
  const networks = network ? [network] : BITCOIN_NETWORKS
  let found: BitcoinNetwork | undefined
  let witness = false
  for (const n of networks) {
    const info = decodeBitcoinAddress(path, n)
    if (info) {
      found = n
      witness = info.type === 'witness'
      break
    }
  }
  if (!found) {
    fail(`${quote(path)} is not a valid Bitcoin address${network ? ` on ${network}` : ''} (bad checksum, wrong network or mixed case).`)
  }
  const get = single(parseQuery(query, new Set()))
  const chain = BITCOIN_CHAINS[found]
  const out: { [field: string]: unknown } = { chainId: chain.caip2, to: witness ? path.toLowerCase() : path, asset: chain.nativeAsset }
  const amount = get('amount')
  if (amount !== undefined) out.amount = parseCoinAmount(amount, 8, MAX_SATOSHIS, 'amount (BTC)', true)
  copyText(out, get)
  return out
}

function format(fields: RequestFields): string {
  const chainId = fields.chainId as ChainId
  const to = fields.to as string
  refuse(fields, 'bitcoin', ['memo', 'references', 'gasLimit', 'gasPrice'])
  const network = BITCOIN_NETWORKS.find((n) => BITCOIN_CHAIN_IDS[n] === chainId)
  if (!network) fail(`Unknown Bitcoin chain ${chainId}; coffer knows ${Object.values(BITCOIN_CHAIN_IDS).join(', ')}.`)
  const info = decodeBitcoinAddress(to, network)
  if (!info) fail(`to ${quote(to)} is not a valid Bitcoin address on ${network}.`)
  const native = BITCOIN_CHAINS[network].nativeAsset
  if (fields.asset !== native) assetError(fields, native)
  const amount = units(fields.amount, 'amount', MAX_SATOSHIS)
  return build('bitcoin', info.type === 'witness' ? to.toLowerCase() : to, [
    ['amount', amount === undefined ? undefined : formatAmount(amount, 8)],
    ['label', text(fields.label, 'label')],
    ['message', text(fields.message, 'message')],
  ])
}

/** The `bitcoin:` scheme (BIP-21) of the Bitcoin family. Option: `bitcoinNetwork`. */
export const bip21Scheme: FamilyPaymentScheme = Object.freeze({
  scheme: 'bitcoin',
  checkOptions: (options: { readonly [option: string]: unknown }) => void pinnedNetwork(options),
  parse,
  format,
})
