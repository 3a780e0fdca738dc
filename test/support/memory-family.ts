/**
 * "memo": a minimal chain family that lives only in the tests, the proof that a chain family is
 * one module. Nothing under src/ names it; registering {@link memoFamily} with
 * `registerChainFamily` is all the wallet, the portfolio, payment URIs and the CLI need.
 *
 * - one network, `memo:local` (a test network), native coin `memo:local/slip44:9999` (6 decimals);
 * - addresses `memo1` + 40 lower-case hex digits: the EVM address of the account's secp256k1 key
 *   (the vault's `evm` signer at the account's index), so keys come from any vault unchanged;
 * - payment URIs `memo:<address>?amount=<decimal MEMO>`;
 * - CLI entries `{ "name", "memo": { "url"?, "balances"?: { "<address>": "<decimal MEMO>" } } }`,
 *   served by a {@link MemoryAdapter} funded with those balances.
 */
import { formatAmount, parseAmount } from '../../src/core/amount.js'
import type { ChainId } from '../../src/core/caip.js'
import { InvalidArgumentError, InvalidPaymentUriError } from '../../src/core/errors.js'
import type { ChainAdapter } from '../../src/chains/adapter.js'
import type { ChainFamily, FamilyChainConfig, FamilyCliConfig, FamilyPaymentScheme } from '../../src/chains/family.js'
import type { AccountSigner, Signer } from '../../src/keys/signer.js'
import { isMemoAddress, MEMO_ASSET, MEMO_CHAIN_ID, MemoryAdapter, memoAddressOf } from './memory-family-adapter.js'

export { MEMO_ASSET, MEMO_CHAIN_ID, MEMO_FEE, MemoryAdapter } from './memory-family-adapter.js'

type Fields = { readonly [field: string]: unknown }

function badUri(message: string): never {
  throw new InvalidPaymentUriError(message)
}

/** `memo:<address>?amount=<decimal>`: the address, and at most one `amount` in whole MEMO. */
function parse(path: string, query: string | undefined): Fields {
  if (!isMemoAddress(path)) badUri(`${JSON.stringify(path.slice(0, 60))} is not a memo address.`)
  const out: { [field: string]: unknown } = { chainId: MEMO_CHAIN_ID, to: path, asset: MEMO_ASSET }
  for (const pair of query ? query.split('&') : []) {
    const [key, value, ...extra] = pair.split('=')
    if (key !== 'amount' || value === undefined || extra.length > 0)
      badUri(`A memo: URI takes only amount=<decimal>, got ${JSON.stringify(pair.slice(0, 40))}.`)
    if (out.amount !== undefined) badUri('A memo: URI names amount twice.')
    try {
      out.amount = parseAmount(value, 6)
    } catch (cause) {
      throw new InvalidPaymentUriError(`amount ${JSON.stringify(value.slice(0, 40))} is not a MEMO amount (at most 6 decimals).`, { cause })
    }
  }
  return out
}

/** Writes a memo request; refuses fields the scheme cannot carry. */
function format(request: Fields): string {
  const { chainId, to, asset, amount, ...rest } = request
  const extra = Object.keys(rest).find(
    (k) => k !== 'scheme' && rest[k] !== undefined && !(Array.isArray(rest[k]) && (rest[k] as unknown[]).length === 0),
  )
  if (extra !== undefined) throw new InvalidArgumentError(`A memo: payment URI cannot carry "${extra}".`)
  if (chainId !== MEMO_CHAIN_ID || asset !== MEMO_ASSET)
    throw new InvalidArgumentError(`A memo: URI pays ${MEMO_ASSET} on ${MEMO_CHAIN_ID}.`)
  if (!isMemoAddress(to)) throw new InvalidArgumentError('to must be a memo address.')
  if (amount !== undefined && (typeof amount !== 'bigint' || amount < 0n))
    throw new InvalidArgumentError('amount must be a bigint of base units.')
  return `memo:${to}${amount === undefined ? '' : `?amount=${formatAmount(amount, 6)}`}`
}

/** The `memo:` payment-request scheme. */
const memoScheme: FamilyPaymentScheme = Object.freeze({ scheme: 'memo', parse, format })

/** A memo chain of the CLI config. */
interface MemoChainConfig extends FamilyChainConfig {
  readonly kind: 'memo'
  readonly url?: string
  /** Base units (decimal strings) by address. */
  readonly balances: { readonly [address: string]: string }
}

function isObject(value: unknown): value is { readonly [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function parseEntry(value: Fields, where: string, fail: (message: string) => never): MemoChainConfig {
  for (const key of Object.keys(value))
    if (key !== 'name' && key !== 'memo') fail(`${where}: unknown key "${key.slice(0, 40)}" (expected one of: name, memo).`)
  const m = value.memo
  if (!isObject(m)) return fail(`${where}.memo must be an object { "url"?, "balances"? }.`)
  for (const key of Object.keys(m))
    if (key !== 'url' && key !== 'balances') fail(`${where}.memo: unknown key "${key.slice(0, 40)}" (expected one of: url, balances).`)
  if (m.url !== undefined && typeof m.url !== 'string') fail(`${where}.memo.url must be a string.`)
  if (m.balances !== undefined && !isObject(m.balances)) fail(`${where}.memo.balances must be an object { "<address>": "<decimal MEMO>" }.`)
  const balances: { [address: string]: string } = {}
  for (const [address, amount] of Object.entries(isObject(m.balances) ? m.balances : {})) {
    if (!isMemoAddress(address)) fail(`${where}.memo.balances: ${JSON.stringify(address.slice(0, 60))} is not a memo address.`)
    if (typeof amount !== 'string' || !/^\d{1,20}(\.\d{1,6})?$/.test(amount))
      fail(`${where}.memo.balances["${address}"] must be a decimal string of MEMO (at most 6 decimals).`)
    balances[address] = parseAmount(amount as string, 6).toString()
  }
  const name = typeof value.name === 'string' ? value.name : MEMO_CHAIN_ID
  return { kind: 'memo', name, chainId: MEMO_CHAIN_ID, ...(typeof m.url === 'string' ? { url: m.url } : {}), balances }
}

/** The memo family's CLI configuration: entries marked by a `"memo": { … }` key. */
const memoCliConfig: FamilyCliConfig = Object.freeze({
  entryKey: 'memo',
  parseEntry,
  fromUrls: (chainId: ChainId, urls: readonly string[], fail: (message: string) => never): MemoChainConfig =>
    chainId === MEMO_CHAIN_ID
      ? { kind: 'memo', name: chainId, chainId, ...(urls[0] === undefined ? {} : { url: urls[0] }), balances: {} }
      : fail(`The memo family serves only ${MEMO_CHAIN_ID}.`),
  withUrls: (entry: FamilyChainConfig, urls: readonly string[]): FamilyChainConfig => ({
    ...entry,
    ...(urls[0] === undefined ? {} : { url: urls[0] }),
  }),
  async createAdapter(entry: FamilyChainConfig): Promise<ChainAdapter> {
    const balances = (entry as MemoChainConfig).balances ?? {}
    return new MemoryAdapter(Object.fromEntries(Object.entries(balances).map(([address, units]) => [address, BigInt(units)])))
  },
} satisfies FamilyCliConfig)

/** The memo family descriptor: register it with `registerChainFamily(memoFamily)`. */
export const memoFamily: ChainFamily = Object.freeze({
  kind: 'memo',
  namespaces: Object.freeze(['memo']),
  title: 'Memo',
  networks: Object.freeze([Object.freeze({ chainId: MEMO_CHAIN_ID, name: 'local', testnet: true })]),
  supports: (chainId: ChainId) => chainId === MEMO_CHAIN_ID,
  isValidAddress: (chainId: ChainId, address: string) => chainId === MEMO_CHAIN_ID && isMemoAddress(address),
  sameAddress: (a: string, b: string) => isMemoAddress(a) && a === b,
  accountOptions(options: Fields) {
    const extra = Object.keys(options).find((k) => options[k] !== undefined)
    if (extra !== undefined) throw new InvalidArgumentError(`${extra} does not apply to memo accounts.`)
    return {}
  },
  signer: (keys, _chainId, account) => keys.getSigner({ secretId: account.secretId, chain: 'evm', index: account.index }),
  accountKeys(_chainId: ChainId, signer: Signer | AccountSigner) {
    if ('kind' in signer || signer.curve !== 'secp256k1') throw new InvalidArgumentError('A memo account needs a secp256k1 address signer.')
    return { address: memoAddressOf(signer.publicKey) }
  },
  nativeAsset: () => MEMO_ASSET,
  paymentSchemes: Object.freeze([memoScheme]),
  cli: memoCliConfig,
} satisfies ChainFamily)
