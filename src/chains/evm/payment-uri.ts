/**
 * EIP-681 payment requests (https://eips.ethereum.org/EIPS/eip-681):
 * `ethereum:[pay-]<address>[@<chainId>][/transfer]?…`. Native payments carry `value` in wei;
 * ERC-20 payments call `transfer` with `address` (recipient) and `uint256` (base units).
 * Numbers may use the spec's exponent form (`2.014e18`) but must come out as whole base units.
 * ENS names are refused: coffer resolves no names. Without `@<chainId>` the spec leaves the
 * network to the client; coffer uses the `defaultEvmChainId` option (1, mainnet). The canonical
 * form always writes `@<chainId>`, EIP-55 addresses and plain integers.
 * @module
 */
import { assertInteger, isIntegerIn } from '../../core/assert.js'
import { MAX_AMOUNT } from '../../core/amount.js'
import type { ChainId } from '../../core/caip.js'
import { assetError, assetOf, build, fail, parseQuery, quote, refuse, single, units, type RequestFields } from '../../core/uri-syntax.js'
import { isValidEvmAddress, toChecksumAddress } from '../../keys/address/evm.js'
import type { FamilyPaymentScheme } from '../family.js'

/** 0x and 40 hex digits, any case. */
const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/
const EIP681_NUMBER = /^([+-]?)(\d*)(?:\.(\d+))?(?:[eE](\d*))?$/

/** An EIP-681 `number` (`[+-] digits [. digits] [e digits]`) that must be a whole uint256. */
function parseEip681Number(text: string, what: string): bigint {
  const m = EIP681_NUMBER.exec(text)
  if (!m || ((m[2] ?? '') === '' && m[3] === undefined)) fail(`${what} must be a number such as 2.014e18, got ${quote(text)}.`)
  if (m[1] === '-') fail(`${what} must not be negative, got ${quote(text)}.`)
  if (m[4] === '') fail(`${what} has an exponent marker with no digits: ${quote(text)}.`)
  const whole = m[2] ?? ''
  const fraction = m[3] ?? ''
  const digits = whole + fraction
  if (!/[1-9]/.test(digits)) return 0n
  const exponentText = (m[4] ?? '').replace(/^0+/, '')
  const tooLarge = () => fail(`${what} is larger than 2^256 - 1: ${quote(text)}.`)
  if (exponentText.length > 6) tooLarge()
  const shift = Number(exponentText || '0') - fraction.length
  let value: bigint
  if (shift < 0) {
    const cut = digits.length + shift
    if (cut < 0 || /[1-9]/.test(digits.slice(cut))) {
      fail(`${what} must be a whole number of base units (wei), got ${quote(text)}.`)
    }
    value = BigInt(digits.slice(0, cut) || '0')
  } else {
    if (digits.replace(/^0+/, '').length + shift > 78) tooLarge()
    value = BigInt(digits) * 10n ** BigInt(shift)
  }
  if (value > MAX_AMOUNT) tooLarge()
  return value
}

/** A 0x address, EIP-55 checksummed; a bad mixed-case checksum and ENS names are refused. */
function evmAddress(text: string, what: string): `0x${string}` {
  if (HEX_ADDRESS.test(text)) {
    if (!isValidEvmAddress(text)) {
      fail(`${what} ${quote(text)} has a bad EIP-55 checksum: its mixed case does not match, so it may be mistyped.`)
    }
    return toChecksumAddress(text)
  }
  if (text.includes('.')) fail(`${what} ${quote(text)} looks like an ENS name; coffer does not resolve ENS, so ask for a 0x address.`)
  return fail(`${what} must be a 0x address of 40 hex digits, got ${quote(text)}.`)
}

/** The `defaultEvmChainId` option, checked (default 1). @throws InvalidArgumentError */
function defaultChainId(options: { readonly [option: string]: unknown }): number {
  const value = options.defaultEvmChainId
  return value === undefined ? 1 : assertInteger(value, 'defaultEvmChainId', 1, Number.MAX_SAFE_INTEGER)
}

function parse(path: string, query: string | undefined, options: { readonly [option: string]: unknown }): RequestFields {
  const m = /^(?:pay-)?([^@/]*)(?:@([^/]*))?(?:\/(.*))?$/.exec(path) as RegExpExecArray
  const target = m[1] as string
  const prefixed = /^([A-Za-z0-9]+)-0x[0-9a-fA-F]{40}$/.exec(target)
  if (prefixed) fail(`EIP-681 prefix "${(prefixed[1] as string).slice(0, 20)}-" is not supported; coffer reads "pay-" requests only.`)
  if (target === '') fail('EIP-681 URI names no target address.')
  const address = evmAddress(target, 'Target address')
  let chain = defaultChainId(options)
  if (m[2] !== undefined) {
    const n = /^\d{1,16}$/.test(m[2]) ? Number(m[2]) : 0
    if (!isIntegerIn(n, 1, Number.MAX_SAFE_INTEGER)) fail(`Chain id must be a positive decimal integer, got ${quote(m[2])}.`)
    chain = n
  }
  const fn = m[3]
  if (fn !== undefined && fn !== 'transfer') {
    fail(`Function ${quote(fn)} is not supported: coffer reads native payments and ERC-20 "transfer" requests only.`)
  }
  const get = single(parseQuery(query, new Set()))
  const chainId: ChainId = `eip155:${chain}`
  const out: { [field: string]: unknown } = { chainId }
  if (fn === undefined) {
    out.to = address
    out.asset = `${chainId}/slip44:60`
    const value = get('value')
    if (value !== undefined) out.amount = parseEip681Number(value, 'value')
  } else {
    const recipient = get('address')
    if (recipient === undefined) fail('ERC-20 transfer request has no "address" parameter (the recipient).')
    out.to = evmAddress(recipient, 'Recipient "address"')
    out.asset = `${chainId}/erc20:${address.toLowerCase()}`
    const value = get('value')
    if (value !== undefined && parseEip681Number(value, 'value') !== 0n) {
      fail('ERC-20 transfer request also asks for ether ("value"); coffer does not pay both at once.')
    }
    const amount = get('uint256')
    if (amount !== undefined) out.amount = parseEip681Number(amount, 'uint256')
  }
  const gas = get('gas')
  const gasLimit = get('gasLimit')
  if (gas !== undefined && gasLimit !== undefined) fail('Both "gas" and "gasLimit" are given; they are synonyms, give one.')
  const limit = gasLimit ?? gas
  if (limit !== undefined) out.gasLimit = parseEip681Number(limit, 'gasLimit')
  const gasPrice = get('gasPrice')
  if (gasPrice !== undefined) out.gasPrice = parseEip681Number(gasPrice, 'gasPrice')
  return out
}

function format(fields: RequestFields): string {
  const chainId = fields.chainId as ChainId
  const to = fields.to as string
  refuse(fields, 'ethereum', ['label', 'message', 'memo', 'references'])
  const reference = chainId.slice(chainId.indexOf(':') + 1)
  const n = /^[1-9]\d{0,15}$/.test(reference) ? Number(reference) : 0
  if (!isIntegerIn(n, 1, Number.MAX_SAFE_INTEGER)) fail(`EIP-681 needs a positive integer chain id, got ${chainId}.`)
  const recipient = evmAddress(to, 'to')
  const amount = units(fields.amount, 'amount', MAX_AMOUNT)
  const gas: [string, string | undefined][] = [
    ['gasLimit', units(fields.gasLimit, 'gasLimit', MAX_AMOUNT)?.toString()],
    ['gasPrice', units(fields.gasPrice, 'gasPrice', MAX_AMOUNT)?.toString()],
  ]
  const asset = assetOf(fields, chainId)
  if (asset.assetNamespace === 'slip44' && asset.assetReference === '60') {
    return build('ethereum', `${recipient}@${n}`, [['value', amount?.toString()], ...gas])
  }
  if (asset.assetNamespace !== 'erc20' || !HEX_ADDRESS.test(asset.assetReference)) {
    assetError(fields, `${chainId}/slip44:60 or ${chainId}/erc20:<0x address>`)
  }
  const token = evmAddress(asset.assetReference, 'asset token address')
  return build('ethereum', `${token}@${n}/transfer`, [['address', recipient], ['uint256', amount?.toString()], ...gas])
}

/** The `ethereum:` scheme (EIP-681) of the EVM family. Option: `defaultEvmChainId`. */
export const eip681Scheme: FamilyPaymentScheme = Object.freeze({
  scheme: 'ethereum',
  checkOptions: (options: { readonly [option: string]: unknown }) => void defaultChainId(options),
  parse,
  format,
})
