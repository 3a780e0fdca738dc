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

/** What each kind of id looks like, for messages. */
const FORMS = {
  'CAIP-2 chain id': '"<namespace>:<reference>", e.g. "eip155:1" or "bip122:000000000019d6689c085ae165831e93"',
  'CAIP-10 account id': '"<namespace>:<reference>:<address>", e.g. "eip155:1:0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb"',
  'CAIP-19 asset id':
    '"<chainId>/<assetNamespace>:<assetReference>[/<tokenId>]", e.g. "eip155:1/slip44:60" or "eip155:1/erc20:0xdAC17F958D2ee523a2206206994597C13D831ec7"',
} as const
type Kind = keyof typeof FORMS

const PART_RULES: Readonly<Record<string, string>> = {
  [NAMESPACE.source]: '3 to 8 lower-case letters, digits or "-"',
  [CHAIN_REFERENCE.source]: '1 to 32 letters, digits, "-" or "_"',
  [ACCOUNT_ADDRESS.source]: '1 to 128 letters, digits, "-", "." or "%"',
  [TOKEN_ID.source]: '1 to 78 letters, digits, "-", "." or "%"',
}

function shown(id: unknown): string {
  if (typeof id === 'string') return JSON.stringify(id.slice(0, 120))
  if (typeof id === 'number') return `${String(id)} (a number)`
  if (typeof id === 'bigint') return `${id}n (a bigint)`
  return describe(id)
}

function fail(kind: Kind, id: unknown, problem: string, suggestion?: string): never {
  const hint = suggestion === undefined ? '.' : `; did you mean ${suggestion}?`
  throw new InvalidCaipIdError(`Invalid ${kind} ${shown(id)}: ${problem}${hint}`, {
    details: { kind, expected: FORMS[kind].slice(0, FORMS[kind].indexOf(',')), ...(suggestion === undefined ? {} : { suggestion }) },
  })
}

function check(kind: Kind, id: unknown, value: unknown, re: RegExp, part: string, suggest?: () => string | undefined): string {
  if (typeof value !== 'string' || !re.test(value))
    fail(kind, id, `the ${part} must be ${PART_RULES[re.source] ?? `like ${re.source}`}; ${kind}s are ${FORMS[kind]}`, suggest?.())
  return value
}

function asString(kind: Kind, id: unknown, suggest?: () => string | undefined): string {
  if (typeof id !== 'string') fail(kind, id, `${kind}s are strings: ${FORMS[kind]}`, suggest?.())
  if (id.length > MAX_ID_LENGTH) fail(kind, id, `too long (${id.length} characters; at most ${MAX_ID_LENGTH})`)
  return id
}

const wellFormedChain = (text: string): boolean => {
  const [namespace, reference, ...rest] = text.split(':')
  return rest.length === 0 && reference !== undefined && NAMESPACE.test(namespace as string) && CHAIN_REFERENCE.test(reference)
}
/** A namespace and a reference joined by something other than ":" (or by ":" in the wrong case): `eip155-1`, `EIP155:1`, `eip155 1`. */
const LOOSE_CHAIN = /^([A-Za-z][A-Za-z0-9]{2,7})\s*(?:[-_/.:\s])\s*([-_a-zA-Z0-9]{1,66})$/
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER)

/** An EVM chain number as its CAIP-2 id, when it is one. */
function evmChain(n: number | bigint): ChainId | undefined {
  const big = typeof n === 'bigint' ? n : Number.isSafeInteger(n) ? BigInt(n) : -1n
  return big > 0n && big <= SAFE_MAX ? `eip155:${big}` : undefined
}

function guessChain(input: unknown): string | undefined {
  if (typeof input === 'number' || typeof input === 'bigint') return evmChain(input)
  if (typeof input !== 'string' || input.length > MAX_ID_LENGTH) return undefined
  const text = input.trim().replace(/^eip-155(?=\W)/i, 'eip155')
  // A bare EVM chain number, decimal or hex (what eth_chainId answers): 31337, "31337", "0x7a69".
  if (/^\d{1,16}$/.test(text)) return evmChain(BigInt(text))
  if (/^0x[0-9a-fA-F]{1,14}$/.test(text)) return evmChain(BigInt(text))
  if (wellFormedChain(text)) return text
  const loose = LOOSE_CHAIN.exec(text)
  if (loose) {
    const namespace = (loose[1] as string).toLowerCase()
    let reference = loose[2] as string
    // bip122 references are the first 32 hex characters of the genesis block hash (CAIP-2 bip122 namespace).
    if (namespace === 'bip122' && /^[0-9a-fA-F]{64}$/.test(reference)) reference = reference.slice(0, 32).toLowerCase()
    if (namespace === 'eip155' && /^0x[0-9a-fA-F]{1,14}$/.test(reference)) return evmChain(BigInt(reference))
    if (namespace === 'eip155' && /^\d{1,16}$/.test(reference)) return evmChain(BigInt(reference))
    const candidate = `${namespace}:${reference}`
    if (wellFormedChain(candidate)) return candidate
  }
  // An asset id or an account id where a chain id belongs: its chain part.
  const head = text.split('/')[0] as string
  const [namespace, reference] = head.split(':')
  if (reference !== undefined && wellFormedChain(`${namespace}:${reference}`)) return `${namespace}:${reference}`
  return undefined
}

/**
 * A well-formed CAIP-2 chain id close to `input`, for "did you mean" hints; undefined when
 * nothing close is found or `input` is already well formed. Purely syntactic (it names no chain):
 * a bare chain number, decimal or hex (`31337`, `'31337'`, `'0x7a69'`), becomes an EVM id
 * (`eip155:31337`); a wrong separator or case is fixed (`'eip155-1'`, `'EIP155:1'` → `eip155:1`);
 * a full 64-character bitcoin genesis hash is cut to the 32 characters CAIP-2 uses; an account
 * or asset id gives its chain part. Never throws.
 * @example suggestChainId('31337') // 'eip155:31337'
 */
export function suggestChainId(input: unknown): ChainId | undefined {
  const guess = guessChain(input)
  return guess !== undefined && guess !== input && wellFormedChain(guess) ? (guess as ChainId) : undefined
}

/** A hint for an account id: its chain part corrected, its address kept. */
function suggestAccountId(input: unknown): string | undefined {
  if (typeof input !== 'string' || input.length > MAX_ID_LENGTH) return undefined
  const text = input.trim()
  const cut = text.lastIndexOf(':')
  if (cut < 0) return undefined
  const chainPart = text.slice(0, cut)
  const address = text.slice(cut + 1)
  const chain = wellFormedChain(chainPart) ? chainPart : suggestChainId(chainPart)
  const candidate = chain === undefined ? undefined : `${chain}:${address}`
  return candidate !== undefined && candidate !== input && ACCOUNT_ADDRESS.test(address) ? candidate : undefined
}

/** A hint for an asset id: its chain part corrected, its asset namespace lower-cased. */
function suggestAssetId(input: unknown): string | undefined {
  if (typeof input !== 'string' || input.length > MAX_ID_LENGTH) return undefined
  const text = input.trim()
  const cut = text.indexOf('/')
  if (cut < 0) return undefined
  const chainPart = text.slice(0, cut)
  const chain = wellFormedChain(chainPart) ? chainPart : suggestChainId(chainPart)
  if (chain === undefined) return undefined
  const [asset = '', ...token] = text.slice(cut + 1).split('/')
  const colon = asset.indexOf(':')
  if (colon < 0) return undefined
  const assetNamespace = asset.slice(0, colon).toLowerCase()
  const assetReference = asset.slice(colon + 1)
  if (
    !NAMESPACE.test(assetNamespace) ||
    !ASSET_REFERENCE.test(assetReference) ||
    token.length > 1 ||
    (token.length === 1 && !TOKEN_ID.test(token[0] as string))
  )
    return undefined
  const candidate = [`${chain}/${assetNamespace}:${assetReference}`, ...token].join('/')
  return candidate !== input ? candidate : undefined
}

/**
 * Parses a CAIP-2 chain id into namespace and reference. An id in the wrong form (`'31337'`,
 * `31337`, `'eip155-31337'`, `'EIP155:1'`) is refused with the right form and, when one is close,
 * a suggestion (`did you mean eip155:31337?`, also in `details.suggestion`).
 * @throws InvalidCaipIdError
 */
export function parseChainId(id: string): ChainIdParts {
  const kind = 'CAIP-2 chain id'
  const suggest = () => suggestChainId(id)
  const text = asString(kind, id, suggest)
  const parts = text.split(':')
  if (parts.length !== 2)
    fail(kind, id, `${/^[A-Za-z][A-Za-z -]*$/.test(text) ? 'a chain name is not a chain id; ' : ''}expected ${FORMS[kind]}`, suggest())
  const namespace = check(kind, id, parts[0], NAMESPACE, 'namespace', suggest)
  const reference = check(kind, id, parts[1], CHAIN_REFERENCE, 'reference', suggest)
  return Object.freeze({ namespace, reference })
}

/** Formats a CAIP-2 chain id, validating both parts. @throws InvalidCaipIdError */
export function formatChainId(parts: ChainIdParts): ChainId {
  const kind = 'CAIP-2 chain id'
  if (parts === null || typeof parts !== 'object') fail(kind, parts, 'expected { namespace, reference }')
  const id = `${String(parts.namespace)}:${String(parts.reference)}` as ChainId
  const suggest = () => suggestChainId(id)
  check(kind, id, parts.namespace, NAMESPACE, 'namespace', suggest)
  check(kind, id, parts.reference, CHAIN_REFERENCE, 'reference', suggest)
  return id
}

/** True if `id` is a well-formed CAIP-2 chain id. Never throws. */
export function isChainId(id: unknown): id is ChainId {
  return typeof id === 'string' && id.length <= MAX_ID_LENGTH && wellFormedChain(id)
}

/**
 * Parses a CAIP-10 account id into its chain id and address. A chain part in the wrong form
 * (`'31337:0xab…'`, `'EIP155:1:0xab…'`) is refused with a suggestion, as in {@link parseChainId}.
 * @throws InvalidCaipIdError
 */
export function parseAccountId(id: string): AccountIdParts {
  const kind = 'CAIP-10 account id'
  const suggest = () => suggestAccountId(id)
  const text = asString(kind, id, suggest)
  const parts = text.split(':')
  if (parts.length !== 3) fail(kind, id, `expected ${FORMS[kind]}`, suggest())
  const namespace = check(kind, id, parts[0], NAMESPACE, 'namespace', suggest)
  const reference = check(kind, id, parts[1], CHAIN_REFERENCE, 'chain reference', suggest)
  const address = check(kind, id, parts[2], ACCOUNT_ADDRESS, 'address', suggest)
  return Object.freeze({ chainId: `${namespace}:${reference}` as ChainId, address })
}

/** Formats a CAIP-10 account id. @throws InvalidCaipIdError */
export function formatAccountId(parts: AccountIdParts): AccountId {
  const kind = 'CAIP-10 account id'
  if (parts === null || typeof parts !== 'object') fail(kind, parts, 'expected { chainId, address }')
  const chainId = formatChainId(parseChainId(parts.chainId))
  const id = `${chainId}:${String(parts.address)}` as AccountId
  check(kind, id, parts.address, ACCOUNT_ADDRESS, 'address')
  return id
}

/**
 * Parses a CAIP-19 asset type or asset id. A chain part in the wrong form (`'31337/erc20:0x…'`)
 * or an upper-case asset namespace (`ERC20`) is refused with a suggestion.
 * @throws InvalidCaipIdError
 */
export function parseAssetId(id: string): AssetIdParts {
  const kind = 'CAIP-19 asset id'
  const suggest = () => suggestAssetId(id)
  const text = asString(kind, id, suggest)
  const parts = text.split('/')
  if (parts.length !== 2 && parts.length !== 3) fail(kind, id, `expected ${FORMS[kind]}`, suggest())
  const chainPart = parts[0] as string
  if (!wellFormedChain(chainPart))
    fail(
      kind,
      id,
      `the chain id part ${JSON.stringify(chainPart.slice(0, 80))} is not a CAIP-2 chain id (${FORMS['CAIP-2 chain id']})`,
      suggest(),
    )
  const chainId = chainPart as ChainId
  const asset = (parts[1] as string).split(':')
  if (asset.length !== 2)
    fail(kind, id, `expected "<assetNamespace>:<assetReference>" after the chain id, e.g. "erc20:0x…" or "slip44:60"`, suggest())
  const assetNamespace = check(kind, id, asset[0], NAMESPACE, 'asset namespace', suggest)
  const assetReference = check(kind, id, asset[1], ASSET_REFERENCE, 'asset reference', suggest)
  if (parts.length === 3) {
    const tokenId = check(kind, id, parts[2], TOKEN_ID, 'token id', suggest)
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
