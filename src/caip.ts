/**
 * Chain-agnostic identifiers: CAIP-2 chain ids (`eip155:1`), CAIP-10 account ids
 * (`eip155:1:0xab…`) and CAIP-19 asset ids (`eip155:1/erc20:0xdAC1…`, `…/slip44:60`).
 * Each part is checked against the grammar of its spec
 * (https://github.com/ChainAgnostic/CAIPs: caip-2.md, caip-10.md, caip-19.md).
 * @module
 */
import { describe } from './assert.js'
import { InvalidCaipIdError } from './errors.js'

/** A CAIP-2 chain id such as `eip155:1` or `bip122:000000000019d6689c085ae165831e93`. */
export type ChainId = `${string}:${string}`
/** A CAIP-10 account id: `<chainId>:<address>`. */
export type AccountId = `${string}:${string}:${string}`
/** A CAIP-19 asset id: `<chainId>/<assetNamespace>:<assetReference>[/<tokenId>]`. */
export type AssetId = `${string}:${string}/${string}:${string}`

/** The parts of a CAIP-2 chain id. */
export interface ChainIdParts {
  readonly namespace: string
  readonly reference: string
}
/** The parts of a CAIP-10 account id. */
export interface AccountIdParts {
  readonly chainId: ChainId
  readonly address: string
}
/** The parts of a CAIP-19 asset id. */
export interface AssetIdParts {
  readonly chainId: ChainId
  readonly assetNamespace: string
  readonly assetReference: string
  readonly tokenId?: string
}

const NAMESPACE = /^[-a-z0-9]{3,8}$/
const CHAIN_REFERENCE = /^[-_a-zA-Z0-9]{1,32}$/
const ACCOUNT_ADDRESS = /^[-.%a-zA-Z0-9]{1,128}$/
const ASSET_REFERENCE = /^[-.%a-zA-Z0-9]{1,128}$/
const TOKEN_ID = /^[-.%a-zA-Z0-9]{1,78}$/
const MAX_ID_LENGTH = 8 + 1 + 32 + 1 + 8 + 1 + 128 + 1 + 128 // longest well-formed CAIP-19

function fail(kind: string, id: unknown, problem: string): never {
  const shown = typeof id === 'string' ? JSON.stringify(id.slice(0, 120)) : describe(id)
  throw new InvalidCaipIdError(`Invalid ${kind} ${shown}: ${problem}.`, { details: { kind } })
}

function check(kind: string, id: unknown, value: unknown, re: RegExp, part: string): string {
  if (typeof value !== 'string' || !re.test(value)) fail(kind, id, `${part} must match ${re.source}`)
  return value
}

function asString(kind: string, id: unknown): string {
  if (typeof id !== 'string') fail(kind, id, 'expected a string')
  if (id.length > MAX_ID_LENGTH) fail(kind, id, 'too long')
  return id
}

/** Parses a CAIP-2 chain id into namespace and reference. @throws InvalidCaipIdError */
export function parseChainId(id: string): ChainIdParts {
  const text = asString('CAIP-2 chain id', id)
  const parts = text.split(':')
  if (parts.length !== 2) fail('CAIP-2 chain id', id, 'expected "<namespace>:<reference>"')
  const namespace = check('CAIP-2 chain id', id, parts[0], NAMESPACE, 'namespace')
  const reference = check('CAIP-2 chain id', id, parts[1], CHAIN_REFERENCE, 'reference')
  return Object.freeze({ namespace, reference })
}

/** Formats a CAIP-2 chain id, validating both parts. @throws InvalidCaipIdError */
export function formatChainId(parts: ChainIdParts): ChainId {
  if (parts === null || typeof parts !== 'object') fail('CAIP-2 chain id', parts, 'expected { namespace, reference }')
  const id = `${String(parts.namespace)}:${String(parts.reference)}` as ChainId
  check('CAIP-2 chain id', id, parts.namespace, NAMESPACE, 'namespace')
  check('CAIP-2 chain id', id, parts.reference, CHAIN_REFERENCE, 'reference')
  return id
}

/** True if `id` is a well-formed CAIP-2 chain id. Never throws. */
export function isChainId(id: unknown): id is ChainId {
  try {
    parseChainId(id as string)
    return true
  } catch {
    return false
  }
}

/** Parses a CAIP-10 account id into its chain id and address. @throws InvalidCaipIdError */
export function parseAccountId(id: string): AccountIdParts {
  const text = asString('CAIP-10 account id', id)
  const parts = text.split(':')
  if (parts.length !== 3) fail('CAIP-10 account id', id, 'expected "<namespace>:<reference>:<address>"')
  const namespace = check('CAIP-10 account id', id, parts[0], NAMESPACE, 'namespace')
  const reference = check('CAIP-10 account id', id, parts[1], CHAIN_REFERENCE, 'chain reference')
  const address = check('CAIP-10 account id', id, parts[2], ACCOUNT_ADDRESS, 'address')
  return Object.freeze({ chainId: `${namespace}:${reference}` as ChainId, address })
}

/** Formats a CAIP-10 account id. @throws InvalidCaipIdError */
export function formatAccountId(parts: AccountIdParts): AccountId {
  if (parts === null || typeof parts !== 'object') fail('CAIP-10 account id', parts, 'expected { chainId, address }')
  const chainId = formatChainId(parseChainId(parts.chainId))
  const id = `${chainId}:${String(parts.address)}` as AccountId
  check('CAIP-10 account id', id, parts.address, ACCOUNT_ADDRESS, 'address')
  return id
}

/** Parses a CAIP-19 asset type or asset id. @throws InvalidCaipIdError */
export function parseAssetId(id: string): AssetIdParts {
  const kind = 'CAIP-19 asset id'
  const text = asString(kind, id)
  const parts = text.split('/')
  if (parts.length !== 2 && parts.length !== 3) {
    fail(kind, id, 'expected "<chainId>/<assetNamespace>:<assetReference>[/<tokenId>]"')
  }
  let chainId: ChainId
  try {
    chainId = formatChainId(parseChainId(parts[0] as string))
  } catch {
    fail(kind, id, 'chain id part is not a CAIP-2 id')
  }
  const asset = (parts[1] as string).split(':')
  if (asset.length !== 2) fail(kind, id, 'expected "<assetNamespace>:<assetReference>" after the chain id')
  const assetNamespace = check(kind, id, asset[0], NAMESPACE, 'asset namespace')
  const assetReference = check(kind, id, asset[1], ASSET_REFERENCE, 'asset reference')
  if (parts.length === 3) {
    const tokenId = check(kind, id, parts[2], TOKEN_ID, 'token id')
    return Object.freeze({ chainId, assetNamespace, assetReference, tokenId })
  }
  return Object.freeze({ chainId, assetNamespace, assetReference })
}

/** Formats a CAIP-19 asset id. @throws InvalidCaipIdError */
export function formatAssetId(parts: AssetIdParts): AssetId {
  const kind = 'CAIP-19 asset id'
  if (parts === null || typeof parts !== 'object') fail(kind, parts, 'expected { chainId, assetNamespace, assetReference }')
  const chainId = formatChainId(parseChainId(parts.chainId))
  const base = `${chainId}/${String(parts.assetNamespace)}:${String(parts.assetReference)}`
  const id = parts.tokenId === undefined ? base : `${base}/${String(parts.tokenId)}`
  check(kind, id, parts.assetNamespace, NAMESPACE, 'asset namespace')
  check(kind, id, parts.assetReference, ASSET_REFERENCE, 'asset reference')
  if (parts.tokenId !== undefined) check(kind, id, parts.tokenId, TOKEN_ID, 'token id')
  return id as AssetId
}
