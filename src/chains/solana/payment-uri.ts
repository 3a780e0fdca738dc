/**
 * Solana Pay transfer requests (https://docs.solanapay.com/spec, v1.1):
 * `solana:<recipient>?amount=&spl-token=&reference=&label=&message=&memo=`. SOL amounts (at most
 * 9 decimals) become lamports. An SPL amount is kept as an exact decimal string in whole
 * tokens: the mint's decimals are not in the URI (the wallet reads them from the adapter's token
 * list when it pays). Interactive transaction requests (`solana:https://…`) are refused.
 *
 * The URI names no network: it is read as mainnet-beta unless the reader says which cluster it
 * expects (`parsePaymentUri(uri, { solanaChainId })`, e.g. devnet or a local test cluster — a
 * point-of-sale app knows its cluster). Only mainnet requests can be written: a URI written for
 * devnet would be read as a mainnet payment by every other wallet.
 * @module
 * @internal
 */
import { describe } from '../../core/assert.js'
import type { ChainId } from '../../core/caip.js'
import {
  assetError,
  assetOf,
  build,
  coinOrToken,
  copyText,
  fail,
  parseCoinAmount,
  parseQuery,
  parseTokenAmount,
  quote,
  refuse,
  single,
  text,
  type RequestFields,
} from '../../core/uri-syntax.js'
import type { FamilyPaymentScheme } from '../family.js'
import { InvalidArgumentError } from '../../core/errors.js'
import { SOLANA_CHAIN_ID } from './networks.js'
import { isValidSolanaAddress } from '../../keys/address/solana.js'

/** CAIP-2 id of Solana mainnet-beta (its genesis hash prefix). */
export const SOLANA_MAINNET_CHAIN_ID: ChainId = 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp'

const MAX_U64 = 2n ** 64n - 1n

/** The cluster a URI is read as: `options.solanaChainId`, default mainnet-beta. @throws InvalidArgumentError */
function readingChain(options: { readonly [option: string]: unknown }): ChainId {
  const chainId = options.solanaChainId
  if (chainId === undefined) return SOLANA_MAINNET_CHAIN_ID
  if (typeof chainId !== 'string' || !SOLANA_CHAIN_ID.test(chainId))
    throw new InvalidArgumentError(`solanaChainId must be a Solana CAIP-2 id (solana:<32 base58 characters>), got ${describe(chainId)}.`)
  return chainId as ChainId
}

function parse(path: string, query: string | undefined, options: { readonly [option: string]: unknown }): RequestFields {
  const chainId = readingChain(options)
  if (/^https?(:|%3a)/i.test(path)) {
    fail('Solana Pay transaction requests (solana:<https link>) are interactive and not supported; ask for a transfer request.')
  }
  if (/[&=]/.test(path)) fail(`Solana Pay recipient ${quote(path)} has parameters in it; they must follow a "?".`)
  if (!isValidSolanaAddress(path)) fail(`Solana Pay recipient ${quote(path)} is not a base58 address of 32 bytes.`)
  const params = parseQuery(query, new Set(['reference']))
  const get = single(params)
  const out: { [field: string]: unknown } = { chainId, to: path }
  const mint = get('spl-token')
  if (mint !== undefined && !isValidSolanaAddress(mint)) fail(`spl-token ${quote(mint)} is not a base58 mint address of 32 bytes.`)
  out.asset = mint === undefined ? `${chainId}/slip44:501` : `${chainId}/token:${mint}`
  const amount = get('amount')
  if (amount !== undefined) {
    out.amount = mint === undefined ? parseCoinAmount(amount, 9, MAX_U64, 'amount (SOL)') : parseTokenAmount(amount, 'amount')
  }
  const references = params.get('reference')
  if (references) {
    for (const r of references) if (!isValidSolanaAddress(r)) fail(`reference ${quote(r)} is not base58 of 32 bytes.`)
    out.references = Object.freeze([...references])
  }
  copyText(out, get, true)
  return out
}

function format(fields: RequestFields): string {
  const chainId = fields.chainId as ChainId
  const to = fields.to as string
  refuse(fields, 'solana', ['gasLimit', 'gasPrice'])
  if (chainId !== SOLANA_MAINNET_CHAIN_ID)
    fail(`Solana Pay URIs name no network, so only mainnet (${SOLANA_MAINNET_CHAIN_ID}) requests can be written.`)
  if (!isValidSolanaAddress(to)) fail(`to ${quote(to)} is not a base58 Solana address of 32 bytes.`)
  const asset = assetOf(fields, chainId)
  const native = asset.assetNamespace === 'slip44' && asset.assetReference === '501'
  if (!native && !(asset.assetNamespace === 'token' && isValidSolanaAddress(asset.assetReference))) {
    assetError(fields, `${chainId}/slip44:501 or ${chainId}/token:<mint>`)
  }
  const refs = fields.references ?? []
  if (!Array.isArray(refs)) fail(`references must be an array of base58 keys, got ${describe(refs)}.`)
  for (const r of refs as unknown[]) {
    if (!isValidSolanaAddress(r)) fail(`reference ${typeof r === 'string' ? quote(r) : describe(r)} is not base58 of 32 bytes.`)
  }
  return build('solana', to, [
    ['amount', coinOrToken(fields, !native, 9, MAX_U64)],
    ['spl-token', native ? undefined : asset.assetReference],
    ...(refs as string[]).map((r) => ['reference', r] as const),
    ['label', text(fields.label, 'label')],
    ['message', text(fields.message, 'message')],
    ['memo', text(fields.memo, 'memo')],
  ])
}

/** The `solana:` scheme (Solana Pay transfer requests), for `solana` chain ids. */
export const solanaPayScheme: FamilyPaymentScheme = Object.freeze({
  scheme: 'solana',
  checkOptions: (options: { readonly [option: string]: unknown }) => void readingChain(options),
  chainOption: 'solanaChainId',
  parse,
  format,
})
