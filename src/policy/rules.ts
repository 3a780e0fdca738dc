/**
 * Spending policies as stored data, and the test for "does this change loosen it?".
 *
 * A wallet keeps its policy with the vault so that reopening it keeps every protection; loosening
 * the stored policy needs the password, tightening does not. This module holds the pure parts:
 *
 * - {@link policyToJson}: a canonical JSON of a policy's data (sorted keys, compact; recipients
 *   and CAIP-19 ids normalised the way `PolicyEngine` compares them; lists sorted and without
 *   duplicates; decimal strings kept as written). Functions are not data: each hook that is set
 *   is recorded by name in `hooks`.
 * - {@link policyFromJson}: its strict inverse.
 * - {@link policyLoosenings}: every way a new policy may allow a payment the stored one refused.
 *
 * `policyLoosenings` answers "is every payment `next` allows also allowed by `stored`?" rule by
 * rule, and is conservative: where it cannot prove a rule at least as strict (a family limit
 * against a CAIP-19 limit, whose members only the adapters know), it reports a loosening.
 * @module
 */
import { describe } from '../core/assert.js'
import { CofferError, InvalidArgumentError, UnsupportedVersionError, VaultFormatError } from '../core/errors.js'
import { PolicyEngine, type AssetLimit, type PolicyOptions } from './policy.js'

/** The `format` tag of a stored policy. */
const POLICY_RULES_FORMAT = 'coffer-policy-rules'
/** The version {@link policyToJson} writes and {@link policyFromJson} reads. */
const POLICY_RULES_VERSION = 1

/** The data part of a policy: every option except the hook functions. */
type PolicyRules = Omit<PolicyOptions, 'onBeforeSign'>

/** A policy read back from storage: its rules, and the names of the hooks it had (`'onBeforeSign'`). */
export interface StoredPolicy {
  /** The rules, normalised (see {@link policyToJson}) and frozen. */
  readonly options: PolicyRules
  /** Hooks that were set; their functions are not stored, so the wallet must be given them again. */
  readonly hooks: readonly string[]
}

/** The rule a {@link PolicyLoosening} is about; hook names (`'onBeforeSign'`) for a dropped hook. */
export type PolicyLooseningRule =
  | 'limits'
  | 'perTransaction'
  | 'perWindow'
  | 'windowMs'
  | 'fiat'
  | 'allow'
  | 'deny'
  | 'maxFee'
  | 'maxFeeShare'
  | 'unlistedAssets'
  | 'onBeforeSign'

/** One way a new policy allows what the stored one refused. */
export interface PolicyLoosening {
  /** The rule that would let more through. */
  readonly rule: PolicyLooseningRule
  /** One line for people; names assets, amounts and recipients (public data), never a secret. */
  readonly message: string
}

const DAY = 86_400_000
/** Fraction digits policy amounts may have (as `PolicyEngine` compares them). */
const SCALE = 36
const FAMILY = /^[A-Z][A-Z0-9.]{0,15}$/
const HOOKS = ['onBeforeSign'] as const
const RULE_KEYS = ['limits', 'fiat', 'allow', 'deny', 'maxFee', 'maxFeeShare', 'unlistedAssets'] as const
const LIMIT_KEYS = ['asset', 'perTransaction', 'perWindow', 'windowMs']
const FIAT_KEYS = ['perTransaction', 'perWindow', 'windowMs']
/** Longest stored policy read or written (a denylist of many thousand entries is far below). */
const MAX_TEXT = 16 * 1024 * 1024

type Bounds = Pick<AssetLimit, 'perTransaction' | 'perWindow' | 'windowMs'>

// ---------------------------------------------------------------------------------------------
// Normalising

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function onlyKeys(value: object, allowed: readonly string[], where: string): void {
  const extra = Object.keys(value).find((k) => !allowed.includes(k))
  if (extra !== undefined) throw new InvalidArgumentError(`${where} has an unknown field ${JSON.stringify(extra.slice(0, 40))}.`)
}

/** Hex and bech32 addresses compare case-insensitively, base58 ones exactly (as `PolicyEngine` does). */
function comparable(address: string): string {
  return /^0x/i.test(address) || /^(bc|tb|bcrt)1/i.test(address) ? address.toLowerCase() : address
}

/** A recipient entry as `PolicyEngine` compares it: `address` or `namespace:reference:address`. */
function recipientKey(entry: string): string {
  const parts = entry.split(':')
  return parts.length === 3 ? `${parts[0]}:${parts[1]}:${comparable(parts[2] as string)}` : comparable(entry)
}

/** A family name as written; a CAIP-19 id lower-cased (`PolicyEngine` compares those case-insensitively). */
const assetKey = (asset: string): string => (FAMILY.test(asset) ? asset : asset.toLowerCase())

function bounds(b: Bounds): Bounds {
  return {
    ...(b.perTransaction !== undefined ? { perTransaction: b.perTransaction } : {}),
    ...(b.perWindow !== undefined ? { perWindow: b.perWindow } : {}),
    ...(b.windowMs !== undefined ? { windowMs: b.windowMs } : {}),
  }
}

const sortedUnique = (list: readonly string[]): readonly string[] => Object.freeze([...new Set(list)].sort())

function hookList(value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.some((h) => !(HOOKS as readonly unknown[]).includes(h)) || new Set(value).size !== value.length) {
    throw new InvalidArgumentError(`hooks must be a list of distinct hook names (${HOOKS.join(', ')}).`)
  }
  return sortedUnique(value as string[])
}

/**
 * Validates a policy strictly (the engine's own checks, plus: no unknown fields anywhere, no
 * `null` for an absent option, `maxFee` a plain object) and returns its normal form.
 */
function normalise(input: PolicyOptions | StoredPolicy): StoredPolicy {
  if (!isObject(input)) throw new InvalidArgumentError(`policy must be an object, got ${describe(input)}.`)
  let rules: PolicyOptions
  let hooks: readonly string[]
  if (Object.hasOwn(input, 'options') && Object.hasOwn(input, 'hooks')) {
    const stored = input as unknown as StoredPolicy
    onlyKeys(stored, ['options', 'hooks'], 'stored policy')
    if (!isObject(stored.options))
      throw new InvalidArgumentError(`stored policy options must be an object, got ${describe(stored.options)}.`)
    onlyKeys(stored.options, RULE_KEYS, 'policy')
    rules = stored.options
    hooks = hookList(stored.hooks)
  } else {
    rules = input as unknown as PolicyOptions
    onlyKeys(rules, [...RULE_KEYS, ...HOOKS], 'policy')
    hooks = sortedUnique(HOOKS.filter((h) => rules[h] !== undefined))
  }
  // The engine's own checks: whatever is stored, a wallet accepts.
  new PolicyEngine(rules)
  if (rules.limits === null) throw new InvalidArgumentError('policy.limits must be an array.')
  rules.limits?.forEach((l, i) => onlyKeys(l, LIMIT_KEYS, `policy.limits[${i}]`))
  if (rules.fiat !== undefined) onlyKeys(rules.fiat, FIAT_KEYS, 'policy.fiat')
  const fee = rules.maxFee
  if (fee !== undefined && (!isObject(fee) || ![Object.prototype, null].includes(Object.getPrototypeOf(fee)))) {
    throw new InvalidArgumentError('policy.maxFee must be a plain object mapping fee assets to decimal amounts.')
  }

  const out: { -readonly [K in keyof PolicyRules]: PolicyRules[K] } = {}
  if (rules.limits !== undefined) {
    const limits = new Map(
      rules.limits.map((l) => Object.freeze({ asset: assetKey(l.asset), ...bounds(l) })).map((l) => [canonicalJson(l), l] as const),
    )
    out.limits = Object.freeze([...limits.keys()].sort().map((k) => limits.get(k) as AssetLimit))
  }
  if (rules.fiat !== undefined) out.fiat = Object.freeze(bounds(rules.fiat))
  if (rules.allow !== undefined) out.allow = sortedUnique(rules.allow.map(recipientKey))
  if (rules.deny !== undefined) out.deny = sortedUnique(rules.deny.map(recipientKey))
  if (fee !== undefined) {
    // Two spellings of one CAIP-19 id become one key; the stricter cap is kept.
    const caps = new Map<string, string>()
    for (const [k, v] of Object.entries(fee)) {
      const key = assetKey(k)
      const seen = caps.get(key)
      if (seen === undefined || units(v) < units(seen)) caps.set(key, v)
    }
    // Ordered by cap, lowest first (then by key), not by key: PolicyEngine applies the FIRST entry
    // that matches a fee, so this order makes it apply the strictest matching cap.
    const order = ([ka, va]: [string, string], [kb, vb]: [string, string]) =>
      units(va) < units(vb) ? -1 : units(va) > units(vb) ? 1 : ka < kb ? -1 : 1
    out.maxFee = Object.freeze(Object.fromEntries([...caps].sort(order)))
  }
  if (rules.maxFeeShare !== undefined) out.maxFeeShare = rules.maxFeeShare
  if (rules.unlistedAssets !== undefined) out.unlistedAssets = rules.unlistedAssets
  return Object.freeze({ options: Object.freeze(out), hooks })
}

/** JSON with object keys sorted at every level (but `maxFee`'s, kept in cap order), no whitespace, `undefined` fields left out. */
function canonicalJson(value: unknown, keepOrder = false): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`
  if (isObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined)
    return `{${(keepOrder ? keys : keys.sort()).map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k], k === 'maxFee')}`).join(',')}}`
  }
  return JSON.stringify(value)
}

// ---------------------------------------------------------------------------------------------
// JSON

/**
 * The canonical JSON of a policy's data, to store with the wallet:
 * `{"allow":[…],…,"format":"coffer-policy-rules","hooks":["onBeforeSign"],…,"version":1}`.
 *
 * Deterministic: keys sorted at every level except `maxFee`'s, which are ordered by cap, lowest
 * first (`PolicyEngine` applies the first `maxFee` entry that matches a fee, so this order makes a
 * policy read back apply the strictest one); no whitespace. `allow` / `deny` entries normalised as
 * `PolicyEngine` compares them (`0x…` and bech32 addresses lower-cased, base58 exact, the chain of a
 * CAIP-10 entry kept), sorted and without duplicates; CAIP-19 ids in `limits` and `maxFee`
 * lower-cased (family names stay upper case); limits sorted, identical ones merged; two `maxFee`
 * keys naming one asset merged into the lower cap; decimal strings, `windowMs`, `maxFeeShare` and
 * `unlistedAssets` as given. An option that is absent stays absent (`allow: []` is not "no allowlist").
 * Hook functions are left out; their names are listed in `hooks`.
 *
 * Accepts a {@link StoredPolicy} too, so `policyToJson(policyFromJson(text))` gives the canonical text back.
 * @example policyToJson({ deny: ['0xAbC…'], onBeforeSign: confirm }) // '{"deny":["0xabc…"],"format":"coffer-policy-rules","hooks":["onBeforeSign"],"version":1}'
 * @throws InvalidArgumentError for anything `PolicyEngine` refuses, an unknown field at any level, or `limits: null`
 * @throws InvalidCaipIdError for a malformed CAIP-10 entry in `allow` / `deny`
 */
export function policyToJson(options: PolicyOptions | StoredPolicy): string {
  const { options: rules, hooks } = normalise(options)
  const text = canonicalJson({ ...rules, hooks, format: POLICY_RULES_FORMAT, version: POLICY_RULES_VERSION })
  if (text.length > MAX_TEXT)
    throw new InvalidArgumentError(`The policy is too large to store: ${text.length} characters, at most ${MAX_TEXT}.`)
  return text
}

function broken(problem: string, cause?: CofferError): never {
  throw new VaultFormatError(`Not a valid stored policy: ${problem}`, cause ? { cause } : undefined)
}

/**
 * Reads a policy written by {@link policyToJson}. Strict: an unknown field at any level, a wrong
 * type, a malformed decimal, window, address or asset id, an unknown hook name, or a missing
 * `format` / `version` / `hooks` is refused. The text is stored data, not a caller's argument, so
 * every such problem is a `VaultFormatError` (the engine's own complaint is its `cause`); a wallet
 * should fail closed on it. Non-canonical but valid text is accepted and normalised.
 *
 * The result's `options` carry no functions: give the wallet its hooks again (see `hooks`), and
 * check with {@link policyLoosenings} that the policy it is given does not drop them.
 * @throws VaultFormatError for anything malformed
 * @throws UnsupportedVersionError for a version newer than {@link POLICY_RULES_VERSION}
 */
export function policyFromJson(text: string): StoredPolicy {
  if (typeof text !== 'string') broken(`expected JSON text, got ${describe(text)}.`)
  if (text.length > MAX_TEXT) broken(`longer than ${MAX_TEXT} characters.`)
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    broken('the text is not JSON.')
  }
  if (!isObject(raw)) broken('expected a JSON object.')
  if (raw.format !== POLICY_RULES_FORMAT) broken(`format must be "${POLICY_RULES_FORMAT}".`)
  const { version } = raw
  if (typeof version === 'number' && Number.isSafeInteger(version) && version > POLICY_RULES_VERSION) {
    throw new UnsupportedVersionError(
      `This stored policy is version ${version}, written by a newer coffer; this one reads version ${POLICY_RULES_VERSION}.`,
    )
  }
  if (version !== POLICY_RULES_VERSION) broken(`version must be ${POLICY_RULES_VERSION}.`)
  if (!Object.hasOwn(raw, 'hooks')) broken('hooks is missing.')
  const { format: _format, version: _version, hooks, ...options } = raw
  try {
    return normalise({ options, hooks } as StoredPolicy)
  } catch (error) {
    if (error instanceof CofferError) broken(error.shortMessage, error)
    throw error
  }
}

// ---------------------------------------------------------------------------------------------
// Comparing

/** A decimal string as an integer of 10^-36 units (exact; validated text only). */
function units(text: string): bigint {
  const [whole = '0', fraction = ''] = text.split('.')
  return BigInt(whole + fraction.padEnd(SCALE, '0'))
}

const windowOf = (b: Bounds): bigint => BigInt(b.windowMs ?? DAY)
const duration = (ms: bigint): string => (ms % 3_600_000n === 0n ? `${ms / 3_600_000n} h` : `${Number(ms) / 1000} s`)

function describeBounds(b: Bounds): string {
  const parts = [
    ...(b.perTransaction !== undefined ? [`${b.perTransaction} per transaction`] : []),
    ...(b.perWindow !== undefined ? [`${b.perWindow} per ${duration(windowOf(b))}`] : []),
  ]
  return parts.length ? parts.join(', ') : 'no amount'
}

/**
 * Whether some candidate in `next` caps a rolling window of `stored.windowMs` at `stored.perWindow`.
 * A cap of X per window W' bounds any window W by ceil(W / W') × X (W is covered by that many
 * windows of W', each at most X), so a longer window with an amount at most X is tighter, and a
 * shorter one is tighter only with a proportionally smaller amount.
 * @returns undefined when bounded; otherwise the rule to blame (`windowMs` if some amount is small enough but its window too short)
 */
function windowGap(stored: Bounds, next: readonly Bounds[]): 'perWindow' | 'windowMs' | undefined {
  if (stored.perWindow === undefined) return undefined
  const max = units(stored.perWindow)
  const w = windowOf(stored)
  const capped = next.filter((n) => n.perWindow !== undefined)
  if (capped.some((n) => ((w + windowOf(n) - 1n) / windowOf(n)) * units(n.perWindow as string) <= max)) return undefined
  return capped.some((n) => units(n.perWindow as string) <= max) ? 'windowMs' : 'perWindow'
}

/** Each bound of `stored` must be met by at least one of `next` (a per-window cap does not stand in for a per-transaction one). */
function boundGaps(stored: Bounds, next: readonly Bounds[]): ('perTransaction' | 'perWindow' | 'windowMs')[] {
  const gaps: ('perTransaction' | 'perWindow' | 'windowMs')[] = []
  if (stored.perTransaction !== undefined) {
    const max = units(stored.perTransaction)
    if (!next.some((n) => n.perTransaction !== undefined && units(n.perTransaction) <= max)) gaps.push('perTransaction')
  }
  const window = windowGap(stored, next)
  if (window) gaps.push(window)
  return gaps
}

type Entry = { chainId?: string; address: string }
function entry(key: string): Entry {
  const parts = key.split(':')
  return parts.length === 3 ? { chainId: `${parts[0]}:${parts[1]}`, address: parts[2] as string } : { address: key }
}
/** `wide` matches every recipient `narrow` matches: the same address, and any chain or the same one. */
const covers = (wide: Entry, narrow: Entry): boolean =>
  wide.address === narrow.address && (wide.chainId === undefined || wide.chainId === narrow.chainId)

function limitLoosenings(s: PolicyRules, n: PolicyRules, out: PolicyLoosening[]): void {
  const nextLimits = n.limits ?? []
  for (const limit of s.limits ?? []) {
    const same = nextLimits.filter((l) => l.asset === limit.asset)
    if (same.length === 0) {
      out.push({ rule: 'limits', message: `The limit on ${limit.asset} (${describeBounds(limit)}) is gone.` })
      continue
    }
    for (const gap of boundGaps(limit, same)) {
      const what =
        gap === 'perTransaction' ? `${limit.perTransaction} per transaction` : `${limit.perWindow} per ${duration(windowOf(limit))}`
      const why = gap === 'windowMs' ? 'its window is shorter' : 'no limit on it caps that amount'
      out.push({ rule: gap, message: `${limit.asset} is no longer held to ${what}: ${why}.` })
    }
  }
  // With unlisted assets denied, a limit on an asset the stored policy did not name lets that asset through.
  if (s.unlistedAssets === 'deny' && n.unlistedAssets === 'deny') {
    const named = new Set((s.limits ?? []).map((l) => l.asset))
    for (const asset of new Set(nextLimits.map((l) => l.asset))) {
      if (!named.has(asset))
        out.push({ rule: 'unlistedAssets', message: `A new limit names ${asset}, which unlistedAssets: 'deny' refused before.` })
    }
  }
}

function listLoosenings(s: PolicyRules, n: PolicyRules, out: PolicyLoosening[]): void {
  if (s.allow !== undefined) {
    if (n.allow === undefined)
      out.push({ rule: 'allow', message: `The allowlist (${s.allow.length} entries) is gone: any recipient would be allowed.` })
    else {
      const stored = s.allow.map(entry)
      for (const key of n.allow) {
        if (!stored.some((a) => covers(a, entry(key))))
          out.push({ rule: 'allow', message: `${key} would be allowed; the stored allowlist does not allow it.` })
      }
    }
  }
  const denied = (n.deny ?? []).map(entry)
  for (const key of s.deny ?? []) {
    if (!denied.some((d) => covers(d, entry(key)))) out.push({ rule: 'deny', message: `${key} would no longer be denied.` })
  }
}

function feeLoosenings(s: PolicyRules, n: PolicyRules, out: PolicyLoosening[]): void {
  for (const [asset, cap] of Object.entries(s.maxFee ?? {})) {
    const next = n.maxFee?.[asset]
    if (next === undefined) out.push({ rule: 'maxFee', message: `The fee cap on ${asset} (${cap}) is gone.` })
    else if (units(next) > units(cap)) out.push({ rule: 'maxFee', message: `The fee cap on ${asset} rises from ${cap} to ${next}.` })
  }
  if (s.maxFeeShare !== undefined) {
    // Both are JS numbers already: comparing them is exact.
    if (n.maxFeeShare === undefined) out.push({ rule: 'maxFeeShare', message: `The fee share cap (${s.maxFeeShare}) is gone.` })
    else if (n.maxFeeShare > s.maxFeeShare)
      out.push({ rule: 'maxFeeShare', message: `The fee share cap rises from ${s.maxFeeShare} to ${n.maxFeeShare}.` })
  }
}

/**
 * Every way `next` may allow a payment or signature that `stored` refused; empty when `next` is
 * the same policy or stricter. A wallet asks for the password before replacing a stored policy
 * with one that has loosenings. Per rule (`rule` of each result):
 *
 * - `limits`: a stored limit's asset (family name, or CAIP-19 id) has no limit in `next`. A family
 *   and a CAIP-19 id never stand in for each other (which assets a family holds is the adapters' word).
 * - `perTransaction`: no `next` limit on that asset has a `perTransaction` at most the stored one
 *   (a `perWindow` does not count, even a smaller one).
 * - `perWindow` / `windowMs`: no `next` limit on that asset caps the stored window: X' per W' caps
 *   a window W at ceil(W / W') × X', which must be at most the stored amount. `windowMs` when some
 *   amount is small enough but its window is too short. Several `next` limits on one asset
 *   combine: each stored bound needs one limit that meets it. New limits tighten, except:
 * - `unlistedAssets`: `'deny'` became `'allow'` or absent; or, with `'deny'` kept, `next` has a
 *   limit on an asset `stored` named none for, which lets that asset through.
 * - `fiat`: `fiat` is gone, or a bound is missing or looser (same rules as a limit).
 * - `allow`: `stored` had an allowlist and `next` has none, or an entry `stored` does not cover
 *   (an address on any chain covers its CAIP-10 entries on one chain, not the reverse).
 * - `deny`: a stored entry no `next` entry covers.
 * - `maxFee`: a stored key missing or higher (new keys tighten); `maxFeeShare`: missing or higher.
 * - `onBeforeSign`: `stored` had the hook and `next` has none. Hooks are functions and cannot be
 *   compared: any function counts as keeping it.
 *
 * Amounts are compared exactly (as decimals, never floats). Rules are compared one by one, so a
 * change one rule makes harmless through another (a deny entry dropped that the allowlist also
 * refuses) is still reported: when in doubt, the answer is "looser".
 * @throws InvalidArgumentError (or InvalidCaipIdError) when either policy is invalid, as {@link policyToJson}
 */
export function policyLoosenings(stored: StoredPolicy | PolicyOptions, next: PolicyOptions): PolicyLoosening[] {
  const s = normalise(stored)
  const n = normalise(next)
  const out: PolicyLoosening[] = []
  limitLoosenings(s.options, n.options, out)
  if (s.options.unlistedAssets === 'deny' && n.options.unlistedAssets !== 'deny') {
    out.push({
      rule: 'unlistedAssets',
      message: `unlistedAssets would become "${n.options.unlistedAssets ?? 'allow'}": assets no limit names would be allowed.`,
    })
  }
  if (s.options.fiat !== undefined) {
    const fiat = n.options.fiat
    if (fiat === undefined) out.push({ rule: 'fiat', message: `The fiat limit (${describeBounds(s.options.fiat)}) is gone.` })
    else if (boundGaps(s.options.fiat, [fiat]).length) {
      out.push({ rule: 'fiat', message: `The fiat limit would loosen from ${describeBounds(s.options.fiat)} to ${describeBounds(fiat)}.` })
    }
  }
  listLoosenings(s.options, n.options, out)
  feeLoosenings(s.options, n.options, out)
  for (const hook of s.hooks) {
    if (!n.hooks.includes(hook))
      out.push({ rule: hook as PolicyLooseningRule, message: `The ${hook} hook would be dropped: it can refuse what the limits allow.` })
  }
  return out.map((l) => Object.freeze(l))
}
