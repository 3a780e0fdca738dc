/** Stored spending policies: canonical JSON, strict parsing, and which changes loosen a policy. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AssetId, ChainId } from '../../src/core/caip.js'
import { CofferError, InvalidArgumentError, UnsupportedVersionError, VaultFormatError } from '../../src/core/errors.js'
import { PolicyEngine, type AssetLimit, type PolicyOptions, type SignSummary } from '../../src/policy/policy.js'
import { policyFromJson, policyLoosenings, policyToJson, type PolicyLooseningRule, type StoredPolicy } from '../../src/policy/rules.js'

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const DAY = 86_400_000
const HOUR = 3_600_000
const hook = () => true
const USDT_ETH = 'eip155:1/erc20:0xdAC17F958D2ee523a2206206994597C13D831ec7'
const ETH_MAIN = 'eip155:1/slip44:60'
const BTC_CHAIN = 'bip122:000000000019d6689c085ae165831e93'
const HEX = [
  '0x1111111111111111111111111111111111111111',
  '0xAbCdEf0123456789aBcDeF0123456789AbCdEf01',
  '0x000000000000000000000000000000000000bEEF',
]
const BECH32 = ['bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq']
const BASE58 = ['7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV', 'TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2']
const CHAINS = ['eip155:1', 'eip155:137', BTC_CHAIN, 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp']
/** Assets, recipients and fee keys no generated policy uses: edits that add them are fresh. */
const FRESH_ASSET = 'eip155:10/erc20:0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85'
const FRESH_FEE = 'eip155:10/slip44:60'
const FRESH_ADDRESS = '0x9999999999999999999999999999999999999999'

const rules = (list: readonly { rule: string }[]) => list.map((l) => l.rule)
const loosened = (stored: StoredPolicy | PolicyOptions, next: PolicyOptions) => rules(policyLoosenings(stored, next))

/** Decimal text as integer units of 10^-36, and back (exact). */
const toUnits = (text: string) => {
  const [whole = '0', fraction = ''] = text.split('.')
  return BigInt(whole + fraction.padEnd(36, '0'))
}
const fromUnits = (units: bigint) => {
  const digits = units.toString().padStart(37, '0')
  const fraction = digits.slice(-36).replace(/0+$/, '')
  return fraction ? `${digits.slice(0, -36)}.${fraction}` : digits.slice(0, -36)
}
/** How the engine compares limit assets: families exactly, CAIP-19 ids case-insensitively. */
const sameAsset = (a: string, b: string) => (/^[A-Z]/.test(a) ? a === b : a.toLowerCase() === b.toLowerCase())
/** Another spelling of the same recipient or asset (hex and bech32 upper-cased). */
const respell = (text: string) =>
  text.replace(/0x([0-9a-fA-F]+)/g, (_, hex: string) => `0x${hex.toUpperCase()}`).replace(/bc1[0-9a-z]+/g, (b) => b.toUpperCase())

// ---------------------------------------------------------------------------------------------
// Canonical JSON and strict parsing
// ---------------------------------------------------------------------------------------------

describe('policyToJson', () => {
  it('writes sorted, compact JSON with recipients and CAIP-19 ids normalised, decimals as given and hooks by name', () => {
    const text = policyToJson({
      unlistedAssets: 'deny',
      onBeforeSign: hook,
      maxFeeShare: 0.05,
      maxFee: { POL: '2', ETH: '0.010' },
      deny: [`eip155:137:${HEX[1]}`, BASE58[0] as string, (BECH32[0] as string).toUpperCase()],
      allow: [HEX[1] as string, (HEX[1] as string).toLowerCase()],
      fiat: { perWindow: '1000', windowMs: 7 * DAY },
      limits: [
        { asset: USDT_ETH, perWindow: '0.2' },
        { asset: 'USDT', perWindow: '500', perTransaction: '200' },
      ],
    })
    expect(text).toBe(
      '{"allow":["0xabcdef0123456789abcdef0123456789abcdef01"],' +
        '"deny":["7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV","bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq","eip155:137:0xabcdef0123456789abcdef0123456789abcdef01"],' +
        '"fiat":{"perWindow":"1000","windowMs":604800000},"format":"coffer-policy-rules","hooks":["onBeforeSign"],' +
        '"limits":[{"asset":"USDT","perTransaction":"200","perWindow":"500"},{"asset":"eip155:1/erc20:0xdac17f958d2ee523a2206206994597c13d831ec7","perWindow":"0.2"}],' +
        '"maxFee":{"ETH":"0.010","POL":"2"},"maxFeeShare":0.05,"unlistedAssets":"deny","version":1}',
    )
  })

  it('gives one text for one policy however it is spelled or ordered, and keeps absent apart from empty', () => {
    const a: PolicyOptions = {
      allow: [HEX[0] as string, `eip155:1:${HEX[2]}`],
      limits: [
        { asset: 'ETH', perWindow: '1' },
        { asset: USDT_ETH, perTransaction: '5' },
      ],
    }
    const b: PolicyOptions = {
      limits: [
        { asset: USDT_ETH.toLowerCase(), perTransaction: '5' },
        { asset: 'ETH', perWindow: '1' },
        { asset: 'ETH', perWindow: '1' },
      ],
      allow: [respell(`eip155:1:${HEX[2]}`), HEX[0] as string],
    }
    expect(policyToJson(b)).toBe(policyToJson(a))
    expect(policyToJson({})).toBe('{"format":"coffer-policy-rules","hooks":[],"version":1}')
    expect(policyToJson({ allow: [] })).toBe('{"allow":[],"format":"coffer-policy-rules","hooks":[],"version":1}')
    // Base58 is case-sensitive: these are two recipients.
    expect(JSON.parse(policyToJson({ deny: [BASE58[0] as string, (BASE58[0] as string).toLowerCase()] })).deny).toHaveLength(2)
  })

  it('keeps the strictest of two matching fee caps in force after a round trip through storage', async () => {
    // The engine applies the first maxFee entry matching a fee, so the stored order is cap order.
    const stored = policyFromJson(policyToJson({ maxFee: { ETH: '1', [ETH_MAIN]: '0.01' } }))
    expect(Object.entries(stored.options.maxFee ?? {})).toEqual([
      [ETH_MAIN, '0.01'],
      ['ETH', '1'],
    ])
    // Two spellings of one CAIP-19 id become one key with the lower cap.
    expect(policyFromJson(policyToJson({ maxFee: { [USDT_ETH]: '3', [USDT_ETH.toLowerCase()]: '5' } })).options.maxFee).toEqual({
      [USDT_ETH.toLowerCase()]: '3',
    })
    const send: SignSummary = {
      kind: 'transaction',
      chainId: 'eip155:1',
      from: HEX[0] as string,
      to: HEX[2] as string,
      asset: ETH_MAIN as AssetId,
      symbol: 'ETH',
      family: 'ETH',
      decimals: 18,
      amount: 10n ** 18n,
      fee: { asset: ETH_MAIN as AssetId, amount: 10n ** 17n, decimals: 18, symbol: 'ETH' },
    }
    await expect(new PolicyEngine(stored.options).authorize(send)).rejects.toMatchObject({ details: { rule: 'maxFee', limit: '0.01' } })
  })

  it('refuses what the engine refuses, and more: unknown fields at any level, null limits, a non-object maxFee', () => {
    const bad: unknown[] = [
      { limits: [{ asset: 'USDT' }] },
      { limits: [{ asset: 'usdt', perWindow: '1' }] },
      { limits: [{ asset: 'USDT', perWindow: '1e3' }] },
      { limits: [{ asset: 'USDT', perWindow: '1', windowMs: 999 }] },
      { limits: [{ asset: 'USDT', perWindow: 1 }] },
      { fiat: { perTransaction: '-1' } },
      { maxFee: { ETH: '0.1.2' } },
      { maxFeeShare: 0 },
      { maxFeeShare: 1.5 },
      { unlistedAssets: 'refuse' },
      { onBeforeSign: 'yes' },
      { limit: [] },
      { limits: [{ asset: 'USDT', perWindow: '1', window: DAY }] },
      { fiat: { perWindow: '1', currency: 'eur' } },
      { limits: null },
      { maxFee: [] },
      { maxFee: new Map() },
      { allow: ['not an address'] },
      [],
      null,
    ]
    for (const options of bad) {
      expect(() => policyToJson(options as PolicyOptions), JSON.stringify(options)).toThrow(CofferError)
    }
    expect(() => policyToJson({ limit: [] } as PolicyOptions)).toThrow(InvalidArgumentError)
    expect(() => policyToJson({ deny: ['eip155:1:'] })).toThrow(CofferError)
  })
})

describe('policyFromJson', () => {
  it('reads back what policyToJson wrote, frozen, with the hooks by name', () => {
    const options: PolicyOptions = { limits: [{ asset: 'USDT', perTransaction: '10' }], deny: [HEX[1] as string], onBeforeSign: hook }
    const stored = policyFromJson(policyToJson(options))
    expect(stored).toEqual({
      options: { limits: [{ asset: 'USDT', perTransaction: '10' }], deny: [(HEX[1] as string).toLowerCase()] },
      hooks: ['onBeforeSign'],
    })
    expect(
      Object.isFrozen(stored) &&
        Object.isFrozen(stored.options) &&
        Object.isFrozen(stored.options.limits?.[0]) &&
        Object.isFrozen(stored.hooks),
    ).toBe(true)
    expect(policyToJson(stored)).toBe(policyToJson(options))
    // Valid but not canonical text (whitespace, order, spelling) is read and normalised.
    expect(policyToJson(policyFromJson(`{ "version": 1, "hooks": [], "deny": ["${HEX[1]}"], "format": "coffer-policy-rules" }\n`))).toBe(
      policyToJson({ deny: [HEX[1] as string] }),
    )
  })

  it('refuses malformed stored policies with VaultFormatError, a newer version with UnsupportedVersionError', () => {
    const good = JSON.parse(policyToJson({ limits: [{ asset: 'USDT', perWindow: '5' }] })) as Record<string, unknown>
    const bad: string[] = [
      '',
      'null',
      '[]',
      '{"format":"coffer-policy-v1","version":1,"hooks":[]}',
      JSON.stringify({ ...good, version: '1' }),
      JSON.stringify({ ...good, version: 0 }),
      JSON.stringify({ ...good, version: 1.5 }),
      JSON.stringify({ ...good, hooks: undefined }),
      JSON.stringify({ ...good, hooks: ['onBeforeSend'] }),
      JSON.stringify({ ...good, hooks: ['onBeforeSign', 'onBeforeSign'] }),
      JSON.stringify({ ...good, hooks: 'onBeforeSign' }),
      JSON.stringify({ ...good, onBeforeSign: true }),
      JSON.stringify({ ...good, extra: 1 }),
      JSON.stringify({ ...good, limits: [{ asset: 'USDT', perWindow: '5', note: 'x' }] }),
      JSON.stringify({ ...good, limits: [{ asset: 'USDT', perWindow: 5 }] }),
      JSON.stringify({ ...good, limits: [{ asset: 'USDT', perWindow: '5.' }] }),
      JSON.stringify({ ...good, limits: null }),
      JSON.stringify({ ...good, maxFee: { ETH: '1e-3' } }),
      JSON.stringify({ ...good, maxFeeShare: '0.1' }),
      JSON.stringify({ ...good, allow: [1] }),
      '{"format":"coffer-policy-rules","version":1,"hooks":[],"__proto__":{"limits":[]}}',
      '{"format":"coffer-policy-rules","version":1,"hooks":[],"maxFee":{"__proto__":"1"}}',
    ]
    for (const text of bad) expect(() => policyFromJson(text), text).toThrow(VaultFormatError)
    expect(() => policyFromJson(42 as unknown as string)).toThrow(VaultFormatError)
    expect(() => policyFromJson(JSON.stringify({ ...good, version: 2 }))).toThrow(UnsupportedVersionError)
    try {
      policyFromJson(JSON.stringify({ ...good, limits: [{ asset: 'USDT', perWindow: 5 }] }))
    } catch (error) {
      expect((error as VaultFormatError).shortMessage).toMatch(
        /^Not a valid stored policy: policy\.limits\[0\]\.perWindow must be a decimal string/,
      )
      expect((error as VaultFormatError).cause).toBeInstanceOf(InvalidArgumentError)
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Loosenings, rule by rule
// ---------------------------------------------------------------------------------------------

describe('policyLoosenings', () => {
  const full: PolicyOptions = {
    limits: [{ asset: 'USDT', perTransaction: '200', perWindow: '500' }],
    fiat: { perTransaction: '100', perWindow: '1000' },
    allow: [HEX[0] as string, `eip155:137:${HEX[1]}`],
    deny: [HEX[2] as string],
    maxFee: { ETH: '0.01' },
    maxFeeShare: 0.05,
    unlistedAssets: 'deny',
    onBeforeSign: hook,
  }

  it('is empty for the same policy, its stored form, a respelling, and anything against an empty policy', () => {
    expect(policyLoosenings(full, full)).toEqual([])
    expect(policyLoosenings(policyFromJson(policyToJson(full)), full)).toEqual([])
    expect(
      loosened(full, { ...full, allow: [...(full.allow ?? [])].reverse().map(respell), deny: (full.deny ?? []).map(respell) }),
    ).toEqual([])
    expect(loosened({}, full)).toEqual([])
    expect(loosened({}, {})).toEqual([])
  })

  it('reports every rule an empty policy drops, one loosening each, with one-line messages', () => {
    const found = policyLoosenings(full, {})
    expect(rules(found).sort()).toEqual(['allow', 'deny', 'fiat', 'limits', 'maxFee', 'maxFeeShare', 'onBeforeSign', 'unlistedAssets'])
    for (const l of found) expect(l.message).toMatch(/^[^\n]+\.$/)
    expect(found.find((l) => l.rule === 'limits')?.message).toBe('The limit on USDT (200 per transaction, 500 per 24 h) is gone.')
  })

  it('limits: a removed limit loosens, a new one tightens; families and CAIP-19 ids do not stand in for each other', () => {
    const usdt = { limits: [{ asset: 'USDT', perWindow: '100' }] }
    expect(loosened(usdt, {})).toEqual(['limits'])
    expect(loosened(usdt, { limits: [{ asset: USDT_ETH, perWindow: '100' }] })).toEqual(['limits'])
    expect(loosened({ limits: [{ asset: USDT_ETH, perWindow: '100' }] }, usdt)).toEqual(['limits'])
    expect(
      loosened({ limits: [{ asset: USDT_ETH, perWindow: '100' }] }, { limits: [{ asset: USDT_ETH.toLowerCase(), perWindow: '100' }] }),
    ).toEqual([])
    expect(loosened(usdt, { limits: [...usdt.limits, { asset: 'ETH', perTransaction: '1' }] })).toEqual([])
    expect(loosened({}, usdt)).toEqual([])
  })

  it('perTransaction: higher or missing loosens, lower or equal does not, and a per-window cap does not stand in for it', () => {
    const stored = { limits: [{ asset: 'USDT', perTransaction: '200' }] }
    expect(loosened(stored, { limits: [{ asset: 'USDT', perTransaction: '200.000000000000000000000000000000000001' }] })).toEqual([
      'perTransaction',
    ])
    expect(loosened(stored, { limits: [{ asset: 'USDT', perTransaction: '199.999999999999999999999999999999999999' }] })).toEqual([])
    expect(loosened(stored, { limits: [{ asset: 'USDT', perTransaction: '0200.000' }] })).toEqual([])
    expect(loosened(stored, { limits: [{ asset: 'USDT', perWindow: '1' }] })).toEqual(['perTransaction'])
    expect(
      loosened(
        { limits: [{ asset: 'USDT', perTransaction: '1'.repeat(60) }] },
        { limits: [{ asset: 'USDT', perTransaction: '1'.repeat(59) + '2' }] },
      ),
    ).toEqual(['perTransaction'])
  })

  it('perWindow and windowMs: a longer window tightens, a shorter one loosens unless its amount shrinks in proportion', () => {
    const stored = { limits: [{ asset: 'USDT', perWindow: '200' }] } // per 24 h
    const next = (perWindow: string, windowMs?: number) => ({ limits: [{ asset: 'USDT', perWindow, ...(windowMs ? { windowMs } : {}) }] })
    expect(loosened(stored, next('200.01'))).toEqual(['perWindow'])
    expect(loosened(stored, { limits: [{ asset: 'USDT', perTransaction: '1' }] })).toEqual(['perWindow'])
    expect(loosened(stored, next('200', DAY))).toEqual([])
    expect(loosened(stored, next('200', 7 * DAY))).toEqual([])
    expect(loosened(stored, next('200', 12 * HOUR))).toEqual(['windowMs'])
    // 100 per 12 h caps any 24 h at 200; 101 per 12 h does not; 66.66 per 8 h caps it at 199.98.
    expect(loosened(stored, next('100', 12 * HOUR))).toEqual([])
    expect(loosened(stored, next('101', 12 * HOUR))).toEqual(['windowMs'])
    expect(loosened(stored, next('66.66', 8 * HOUR))).toEqual([])
    expect(loosened(stored, next('66.67', 8 * HOUR + 1))).toEqual(['windowMs'])
    expect(loosened(stored, next('250', 12 * HOUR))).toEqual(['perWindow'])
    // Nothing at all per window stays nothing at all in any window.
    expect(loosened(next('0', 7 * DAY), next('0', 1_000))).toEqual([])
  })

  it('several limits on one asset combine: each stored bound needs one limit that meets it', () => {
    const stored = { limits: [{ asset: 'USDT', perTransaction: '100', perWindow: '500' }] }
    expect(
      loosened(stored, {
        limits: [
          { asset: 'USDT', perTransaction: '100' },
          { asset: 'USDT', perWindow: '400' },
        ],
      }),
    ).toEqual([])
    expect(
      loosened(stored, {
        limits: [
          { asset: 'USDT', perTransaction: '100', perWindow: '600' },
          { asset: 'USDT', perTransaction: '500', perWindow: '500', windowMs: HOUR },
        ],
      }),
    ).toEqual(['windowMs'])
    expect(
      loosened(
        {
          limits: [
            { asset: 'USDT', perTransaction: '100' },
            { asset: 'USDT', perTransaction: '50' },
          ],
        },
        { limits: [{ asset: 'USDT', perTransaction: '75' }] },
      ),
    ).toEqual(['perTransaction'])
  })

  it('fiat: gone, higher, or a shorter window loosens; added or lower tightens; an empty fiat rule still counts', () => {
    const stored = { fiat: { perTransaction: '100', perWindow: '1000' } }
    expect(loosened(stored, {})).toEqual(['fiat'])
    expect(loosened(stored, { fiat: { perTransaction: '101', perWindow: '1000' } })).toEqual(['fiat'])
    expect(loosened(stored, { fiat: { perTransaction: '100', perWindow: '1000', windowMs: HOUR } })).toEqual(['fiat'])
    expect(loosened(stored, { fiat: { perWindow: '1000' } })).toEqual(['fiat'])
    expect(loosened(stored, { fiat: { perTransaction: '50', perWindow: '1000', windowMs: 2 * DAY } })).toEqual([])
    expect(loosened({}, stored)).toEqual([])
    // `fiat: {}` refuses every unpriced asset: dropping it loosens.
    expect(loosened({ fiat: {} }, {})).toEqual(['fiat'])
    expect(loosened({ fiat: {} }, stored)).toEqual([])
  })

  it('allow: dropped, a new entry, or a chain-scoped entry widened to every chain loosens; a subset or narrower tightens', () => {
    const stored = { allow: [HEX[0] as string, `eip155:137:${HEX[1]}`] }
    expect(loosened(stored, {})).toEqual(['allow'])
    expect(loosened(stored, { allow: [...stored.allow, FRESH_ADDRESS] })).toEqual(['allow'])
    expect(loosened(stored, { allow: [HEX[0] as string, HEX[1] as string] })).toEqual(['allow'])
    expect(loosened(stored, { allow: [HEX[0] as string, `eip155:1:${HEX[1]}`] })).toEqual(['allow'])
    expect(loosened(stored, { allow: [`eip155:1:${HEX[0]}`, `eip155:137:${HEX[0]}`] })).toEqual([])
    expect(loosened(stored, { allow: [(HEX[0] as string).toUpperCase().replace('0X', '0x')] })).toEqual([])
    expect(loosened(stored, { allow: [] })).toEqual([])
    expect(loosened({ allow: [] }, { allow: [HEX[0] as string] })).toEqual(['allow'])
    expect(loosened({}, stored)).toEqual([])
    // Base58 compares exactly: another case is another address.
    expect(loosened({ allow: [BASE58[1] as string] }, { allow: [(BASE58[1] as string).toLowerCase()] })).toEqual(['allow'])
  })

  it('deny: a removed entry, or an every-chain entry narrowed to one chain, loosens; more entries tighten', () => {
    const stored = { deny: [HEX[2] as string, `${BTC_CHAIN}:${BECH32[0]}`] }
    expect(loosened(stored, { deny: [HEX[2] as string] })).toEqual(['deny'])
    expect(loosened(stored, {})).toEqual(['deny', 'deny'])
    expect(loosened(stored, { deny: [`eip155:1:${HEX[2]}`, `${BTC_CHAIN}:${BECH32[0]}`] })).toEqual(['deny'])
    expect(loosened(stored, { deny: [HEX[2] as string, BECH32[0] as string] })).toEqual([])
    expect(loosened(stored, { deny: [...stored.deny.map(respell), FRESH_ADDRESS] })).toEqual([])
    expect(loosened({}, stored)).toEqual([])
  })

  it('maxFee and maxFeeShare: removed or higher loosens, lower or new tightens', () => {
    const stored = { maxFee: { ETH: '0.01', [USDT_ETH]: '5' }, maxFeeShare: 0.05 }
    expect(loosened(stored, { ...stored, maxFee: { ETH: '0.011', [USDT_ETH]: '5' } })).toEqual(['maxFee'])
    expect(loosened(stored, { ...stored, maxFee: { ETH: '0.01' } })).toEqual(['maxFee'])
    expect(loosened(stored, { ...stored, maxFee: { ETH: '0.001', [USDT_ETH.toLowerCase()]: '5', POL: '1' } })).toEqual([])
    expect(loosened(stored, { maxFee: stored.maxFee, maxFeeShare: 0.050000001 })).toEqual(['maxFeeShare'])
    expect(loosened(stored, { maxFee: stored.maxFee })).toEqual(['maxFeeShare'])
    expect(loosened(stored, { maxFee: stored.maxFee, maxFeeShare: 0.01 })).toEqual([])
    expect(loosened({}, stored)).toEqual([])
  })

  it("unlistedAssets: 'deny' to 'allow' or absent loosens; under 'deny', a limit on an asset the stored policy did not name loosens", () => {
    const stored: PolicyOptions = { unlistedAssets: 'deny', limits: [{ asset: 'USDT', perWindow: '100' }] }
    expect(loosened(stored, { ...stored, unlistedAssets: 'allow' })).toEqual(['unlistedAssets'])
    expect(loosened(stored, { limits: stored.limits })).toEqual(['unlistedAssets'])
    expect(loosened(stored, { ...stored, limits: [...(stored.limits ?? []), { asset: 'ETH', perWindow: '0.1' }] })).toEqual([
      'unlistedAssets',
    ])
    expect(loosened(stored, { ...stored, limits: [...(stored.limits ?? []), { asset: 'USDT', perTransaction: '10' }] })).toEqual([])
    expect(loosened({ limits: stored.limits }, stored)).toEqual([])
    // Conservative: which CAIP-19 assets a family holds is the adapters' word, so this counts as new.
    expect(loosened(stored, { ...stored, limits: [...(stored.limits ?? []), { asset: USDT_ETH, perWindow: '1' }] })).toEqual([
      'unlistedAssets',
    ])
  })

  it('onBeforeSign: dropping the hook loosens, from options or from a stored policy; adding or replacing it does not', () => {
    expect(loosened({ onBeforeSign: hook }, {})).toEqual(['onBeforeSign'])
    expect(loosened(policyFromJson(policyToJson({ onBeforeSign: hook })), {})).toEqual(['onBeforeSign'])
    expect(loosened(policyFromJson(policyToJson({ onBeforeSign: hook })), { onBeforeSign: () => false })).toEqual([])
    expect(loosened({}, { onBeforeSign: hook })).toEqual([])
  })

  it('refuses invalid policies on either side with a CofferError', () => {
    expect(() => policyLoosenings({ limits: [{ asset: 'USDT' }] }, {})).toThrow(InvalidArgumentError)
    expect(() => policyLoosenings({}, { maxFeeShare: 2 })).toThrow(InvalidArgumentError)
    expect(() => policyLoosenings({ options: {}, hooks: ['nope'] }, {})).toThrow(InvalidArgumentError)
    expect(() => policyLoosenings({ options: { onBeforeSign: hook }, hooks: [] } as unknown as StoredPolicy, {})).toThrow(
      InvalidArgumentError,
    )
  })
})

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const decimal = fc.stringMatching(/^\d{1,20}(\.\d{1,36})?$/)
const windowMs = fc.integer({ min: 1_000, max: 366 * DAY })
const asset = fc.constantFrom(
  'USDT',
  'USDC',
  'ETH',
  'BTC',
  USDT_ETH,
  USDT_ETH.toLowerCase(),
  ETH_MAIN,
  'eip155:137/slip44:966',
  `${BTC_CHAIN}/slip44:0`,
)
const limit: fc.Arbitrary<AssetLimit> = fc
  .record({ asset, perTransaction: decimal, perWindow: decimal, windowMs }, { requiredKeys: ['asset'] })
  .filter((l) => l.perTransaction !== undefined || l.perWindow !== undefined)
const fiat = fc.record({ perTransaction: decimal, perWindow: decimal, windowMs }, { requiredKeys: [] })
const address = fc.tuple(fc.constantFrom(...HEX, ...BECH32, ...BASE58), fc.boolean()).map(([a, re]) => (re ? respell(a) : a))
const recipient = fc
  .tuple(address, fc.option(fc.constantFrom(...CHAINS), { nil: undefined }))
  .map(([a, chain]) => (chain ? `${chain}:${a}` : a))
const feeKey = fc.constantFrom('ETH', 'POL', 'BTC', ETH_MAIN, 'eip155:137/slip44:966', USDT_ETH, USDT_ETH.toLowerCase())
const share = fc.oneof(
  fc.integer({ min: 1, max: 100 }).map((n) => n / 100),
  fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }),
)
const policy: fc.Arbitrary<PolicyOptions> = fc.record(
  {
    limits: fc.array(limit, { maxLength: 5 }),
    fiat,
    allow: fc.array(recipient, { maxLength: 5 }),
    deny: fc.array(recipient, { maxLength: 5 }),
    maxFee: fc.dictionary(feeKey, decimal, { maxKeys: 4 }),
    maxFeeShare: share,
    unlistedAssets: fc.constantFrom('allow' as const, 'deny' as const),
    onBeforeSign: fc.constant(hook),
  },
  { requiredKeys: [] },
)

/** An edit: which one, and the random choices it may need. */
const edit = fc.record({
  kind: fc.nat(),
  pick: fc.nat(),
  factor: fc.integer({ min: 0, max: 4 }),
  amount: decimal,
  window: windowMs,
  asset,
  recipient,
  chain: fc.constantFrom(...CHAINS),
  feeKey,
  share,
  fiat,
})
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never

const scaleDown = (text: string, factor: number) => fromUnits((toUnits(text) * BigInt(factor)) / 4n)
const at = <T>(list: readonly T[], i: number): [number, T | undefined] =>
  list.length ? [i % list.length, list[i % list.length]] : [-1, undefined]
const replace = <T>(list: readonly T[], i: number, value: T) => list.map((x, j) => (j === i ? value : x))
const min = (a: string, b: string) => (toUnits(a) <= toUnits(b) ? a : b)

/** Edits after which every payment the result allows was allowed before. */
const TIGHTEN: ((p: PolicyOptions, e: Edit) => PolicyOptions)[] = [
  (p, e) => {
    const [i, l] = at(p.limits ?? [], e.pick)
    if (!l) return p
    const field = l.perTransaction !== undefined && (e.factor % 2 === 0 || l.perWindow === undefined) ? 'perTransaction' : 'perWindow'
    return { ...p, limits: replace(p.limits ?? [], i, { ...l, [field]: scaleDown(l[field] as string, e.factor) }) }
  },
  (p, e) => {
    const [i, l] = at(p.limits ?? [], e.pick)
    if (!l) return p
    const added =
      l.perTransaction === undefined
        ? { perTransaction: e.amount }
        : l.perWindow === undefined
          ? { perWindow: e.amount, windowMs: e.window }
          : {}
    return { ...p, limits: replace(p.limits ?? [], i, { ...l, ...added }) }
  },
  (p, e) => {
    const [i, l] = at(p.limits ?? [], e.pick)
    if (!l || l.perWindow === undefined) return p
    return { ...p, limits: replace(p.limits ?? [], i, { ...l, windowMs: Math.max(l.windowMs ?? DAY, e.window) }) }
  },
  (p, e) => {
    // Half the amount in half the window (rounded up) is at most the amount in the whole window.
    const [i, l] = at(p.limits ?? [], e.pick)
    const w = l?.windowMs ?? DAY
    if (!l || l.perWindow === undefined || w < 2_000) return p
    return {
      ...p,
      limits: replace(p.limits ?? [], i, { ...l, perWindow: fromUnits(toUnits(l.perWindow) / 2n), windowMs: Math.ceil(w / 2) }),
    }
  },
  (p, e) => {
    // A new limit; with unlisted assets denied, only on an asset already named.
    const named = (p.limits ?? []).map((l) => l.asset)
    const target = p.unlistedAssets === 'deny' ? at(named, e.pick)[1] : e.asset
    return target === undefined ? p : { ...p, limits: [...(p.limits ?? []), { asset: target, perWindow: e.amount, windowMs: e.window }] }
  },
  (p, e) => {
    if (!p.fiat) return { ...p, fiat: e.fiat }
    const f = p.fiat
    return {
      ...p,
      fiat: {
        ...f,
        perTransaction: f.perTransaction === undefined ? e.amount : scaleDown(f.perTransaction, e.factor),
        ...(f.perWindow !== undefined
          ? { perWindow: scaleDown(f.perWindow, e.factor), windowMs: Math.max(f.windowMs ?? DAY, e.window) }
          : {}),
      },
    }
  },
  (p, e) => (p.allow ? { ...p, allow: p.allow.filter((_, j, all) => j !== e.pick % all.length) } : { ...p, allow: [e.recipient] }),
  (p, e) => {
    const [i, r] = at(p.allow ?? [], e.pick)
    return r === undefined || r.includes(':') ? p : { ...p, allow: replace(p.allow ?? [], i, `${e.chain}:${r}`) }
  },
  (p, e) => ({ ...p, deny: [...(p.deny ?? []), e.recipient] }),
  (p, e) => {
    const [i, r] = at(p.deny ?? [], e.pick)
    return r === undefined || !r.includes(':') ? p : { ...p, deny: replace(p.deny ?? [], i, r.split(':')[2] as string) }
  },
  (p, e) => ({
    ...p,
    maxFee: {
      ...p.maxFee,
      [e.feeKey]: p.maxFee?.[e.feeKey] === undefined ? e.amount : min(p.maxFee[e.feeKey] as string, scaleDown(e.amount, e.factor)),
    },
  }),
  (p, e) => ({ ...p, maxFeeShare: Math.min(p.maxFeeShare ?? 1, e.share) }),
  (p) => ({ ...p, unlistedAssets: 'deny' }),
  (p) => ({ ...p, onBeforeSign: hook }),
  (p) => ({
    ...p,
    allow: p.allow ? [...p.allow].reverse().map(respell) : undefined,
    deny: p.deny ? [...p.deny].reverse().map(respell) : undefined,
    limits: p.limits ? [...p.limits].reverse().map((l) => ({ ...l, asset: respell(l.asset) })) : undefined,
  }),
]

/** Edits that loosen exactly one rule; each returns the stored policy (made to have that rule) and the loosened one. */
const LOOSEN: [PolicyLooseningRule, (p: PolicyOptions, e: Edit) => [PolicyOptions, PolicyOptions]][] = [
  [
    'limits',
    (p, e) => {
      const stored = p.limits?.length ? p : { ...p, limits: [{ asset: e.asset, perWindow: e.amount }] }
      const gone = (at(stored.limits ?? [], e.pick)[1] as AssetLimit).asset
      return [stored, { ...stored, limits: (stored.limits ?? []).filter((l) => !sameAsset(l.asset, gone)) }]
    },
  ],
  ...(['perTransaction', 'perWindow'] as const).map(
    (field) =>
      [
        field,
        (p: PolicyOptions, e: Edit): [PolicyOptions, PolicyOptions] => {
          const stored = { ...p, limits: [...(p.limits ?? []), { asset: e.asset, [field]: e.amount }] }
          const same = stored.limits.filter((l) => sameAsset(l.asset, e.asset) && l[field] !== undefined)
          const above = fromUnits(same.map((l) => toUnits(l[field] as string)).reduce((a, b) => (a > b ? a : b)) + 1n)
          return [
            stored,
            {
              ...stored,
              limits: stored.limits.map((l) => (sameAsset(l.asset, e.asset) && l[field] !== undefined ? { ...l, [field]: above } : l)),
            },
          ]
        },
      ] as [PolicyLooseningRule, (p: PolicyOptions, e: Edit) => [PolicyOptions, PolicyOptions]],
  ),
  [
    'windowMs',
    (p, e) => {
      const w = Math.max(e.window, 2_000)
      const stored = {
        ...p,
        limits: [...(p.limits ?? []), { asset: FRESH_ASSET, perWindow: fromUnits(toUnits(e.amount) + 1n), windowMs: w }],
      }
      const shorter = 1_000 + (e.pick % (w - 1_000))
      return [stored, { ...stored, limits: stored.limits.map((l) => (l.asset === FRESH_ASSET ? { ...l, windowMs: shorter } : l)) }]
    },
  ],
  [
    'fiat',
    (p, e) => {
      const stored = { ...p, fiat: { ...e.fiat, perTransaction: e.amount } }
      return [
        stored,
        e.factor % 2
          ? { ...stored, fiat: undefined }
          : { ...stored, fiat: { ...stored.fiat, perTransaction: fromUnits(toUnits(e.amount) + 1n) } },
      ]
    },
  ],
  [
    'allow',
    (p, e) => {
      const stored = { ...p, allow: [...(p.allow ?? []), `${e.chain}:${FRESH_ADDRESS}`] }
      const variants: PolicyOptions[] = [
        { ...stored, allow: undefined },
        { ...stored, allow: [...stored.allow, e.recipient.replace(/[^:]+$/, FRESH_ADDRESS.replace('9', '8'))] },
        { ...stored, allow: [...stored.allow, FRESH_ADDRESS] },
      ]
      return [stored, variants[e.factor % 3] as PolicyOptions]
    },
  ],
  [
    'deny',
    (p, e) => {
      const stored = { ...p, deny: [...(p.deny ?? []), FRESH_ADDRESS] }
      const rest = (p.deny ?? []).filter((d) => !d.toLowerCase().endsWith(FRESH_ADDRESS))
      return [stored, { ...stored, deny: e.factor % 2 ? rest : [...rest, `${e.chain}:${FRESH_ADDRESS}`] }]
    },
  ],
  [
    'maxFee',
    (p, e) => {
      const stored = { ...p, maxFee: { ...p.maxFee, [FRESH_FEE]: e.amount } }
      const { [FRESH_FEE]: _, ...rest } = stored.maxFee
      return [stored, { ...stored, maxFee: e.factor % 2 ? rest : { ...rest, [FRESH_FEE]: fromUnits(toUnits(e.amount) + 1n) } }]
    },
  ],
  [
    'maxFeeShare',
    (p, e) => {
      const stored = { ...p, maxFeeShare: Math.min(e.share, 0.5) }
      return [stored, { ...stored, maxFeeShare: e.factor % 2 ? undefined : stored.maxFeeShare * 2 }]
    },
  ],
  [
    'unlistedAssets',
    (p, e) => {
      const stored: PolicyOptions = { ...p, unlistedAssets: 'deny' }
      const variants: PolicyOptions[] = [
        { ...stored, unlistedAssets: 'allow' },
        { ...stored, unlistedAssets: undefined },
        { ...stored, limits: [...(p.limits ?? []), { asset: FRESH_ASSET, perWindow: e.amount }] },
      ]
      return [stored, variants[e.factor % 3] as PolicyOptions]
    },
  ],
  [
    'onBeforeSign',
    (p) => [
      { ...p, onBeforeSign: hook },
      { ...p, onBeforeSign: undefined },
    ],
  ],
]

describe('policyLoosenings properties', () => {
  it('a policy never loosens itself, nor its stored form, either way', () => {
    fc.assert(
      fc.property(policy, (p) => {
        const stored = policyFromJson(policyToJson(p))
        expect(policyLoosenings(p, p)).toEqual([])
        expect(policyLoosenings(stored, p)).toEqual([])
        expect(policyLoosenings(p, { ...stored.options, ...(stored.hooks.length ? { onBeforeSign: hook } : {}) })).toEqual([])
      }),
      { numRuns: 300 },
    )
  })

  it('random tightening edits, one after another, never report a loosening', () => {
    fc.assert(
      fc.property(policy, fc.array(edit, { minLength: 1, maxLength: 8 }), (p, edits) => {
        let current = p
        for (const e of edits) {
          const next = (TIGHTEN[e.kind % TIGHTEN.length] as (typeof TIGHTEN)[number])(current, e)
          expect(policyLoosenings(current, next)).toEqual([])
          current = next
        }
        expect(policyLoosenings(p, current)).toEqual([])
        expect(policyLoosenings(policyFromJson(policyToJson(p)), current)).toEqual([])
      }),
      { numRuns: 500 },
    )
  })

  it('a random loosening edit is reported, under the rule it loosens and no other', () => {
    fc.assert(
      fc.property(policy, edit, (p, e) => {
        const [rule, apply] = LOOSEN[e.kind % LOOSEN.length] as (typeof LOOSEN)[number]
        const [stored, next] = apply(p, e)
        expect(policyLoosenings(stored, stored)).toEqual([])
        const found = rules(policyLoosenings(stored, next))
        expect(found.length).toBeGreaterThan(0)
        expect(new Set(found)).toEqual(new Set([rule]))
        expect(rules(policyLoosenings(policyFromJson(policyToJson(stored)), next))).toEqual(found)
      }),
      { numRuns: 500 },
    )
  })
})

describe('policyToJson / policyFromJson properties', () => {
  it('round-trip: the stored form writes the same text, and has the same hooks', () => {
    fc.assert(
      fc.property(policy, (p) => {
        const text = policyToJson(p)
        const stored = policyFromJson(text)
        expect(policyToJson(stored)).toBe(text)
        expect(policyFromJson(policyToJson(stored))).toEqual(stored)
        expect(stored.hooks).toEqual(p.onBeforeSign ? ['onBeforeSign'] : [])
        const keys = Object.keys(JSON.parse(text) as object)
        expect(keys).toEqual([...keys].sort())
      }),
      { numRuns: 300 },
    )
  })

  it('the stored form allows exactly the transfers the original allows, but for a stricter matching fee cap', async () => {
    const natives: Record<string, { asset: AssetId; symbol: string; decimals: number }> = {
      'eip155:1': { asset: ETH_MAIN as AssetId, symbol: 'ETH', decimals: 18 },
      'eip155:137': { asset: 'eip155:137/slip44:966' as AssetId, symbol: 'POL', decimals: 18 },
      [BTC_CHAIN]: { asset: `${BTC_CHAIN}/slip44:0` as AssetId, symbol: 'BTC', decimals: 8 },
    }
    const assets = [
      { chainId: 'eip155:1', asset: USDT_ETH as AssetId, symbol: 'USDT', family: 'USDT', decimals: 6 },
      ...Object.entries(natives).map(([chainId, n]) => ({
        chainId,
        asset: n.asset,
        symbol: n.symbol,
        family: n.symbol,
        decimals: n.decimals,
      })),
    ]
    const transfer = fc
      .record({
        a: fc.constantFrom(...assets),
        to: address,
        amount: fc.bigInt({ min: 0n, max: 10n ** 24n }),
        fee: fc.bigInt({ min: 0n, max: 10n ** 19n }),
      })
      .map(({ a, to, amount, fee }): SignSummary => {
        const native = natives[a.chainId] as (typeof natives)[string]
        return {
          kind: 'transaction',
          chainId: a.chainId as ChainId,
          from: HEX[0] as string,
          to,
          asset: a.asset,
          symbol: a.symbol,
          family: a.family,
          decimals: a.decimals,
          amount,
          fee: { ...native, amount: fee },
        }
      })
    const decide = (options: PolicyOptions, s: SignSummary) =>
      new PolicyEngine(options).authorize(s).then(
        () => 'allowed',
        (e: CofferError) => String(e.details.rule),
      )
    await fc.assert(
      fc.asyncProperty(policy, fc.array(transfer, { minLength: 1, maxLength: 4 }), async (p, sends) => {
        const { onBeforeSign: _, ...data } = p
        const stored = policyFromJson(policyToJson(data)).options
        for (const s of sends) {
          const [now, before] = [await decide(stored, s), await decide(data, s)]
          // Limits are sorted, so when several fail another may be named first: compare allowed / refused.
          // The engine applies the first matching maxFee entry; the stored form lists the lowest cap first.
          if ((now === 'allowed') !== (before === 'allowed')) expect([now, before]).toEqual(['maxFee', 'allowed'])
        }
      }),
      { numRuns: 200 },
    )
  })

  it('policyFromJson throws nothing but CofferErrors on random text and mutated policies, and what it accepts the engine accepts', () => {
    const check = (text: string) => {
      let stored: StoredPolicy
      try {
        stored = policyFromJson(text)
      } catch (error) {
        expect(error).toBeInstanceOf(CofferError)
        return
      }
      expect(() => new PolicyEngine(stored.options)).not.toThrow()
      expect(policyFromJson(policyToJson(stored))).toEqual(stored)
    }
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json()), check), { numRuns: 300 })

    const mutate = (value: unknown, path: readonly number[], replacement: unknown, remove: boolean, name: string): unknown => {
      if (value === null || typeof value !== 'object') return replacement
      const entries = Object.entries(value)
      const [i, chosen] = at(entries, path[0] ?? 0)
      if (!chosen || path.length <= 1) {
        const copy: Record<string, unknown> = Array.isArray(value) ? Object.fromEntries(entries) : { ...value }
        if (chosen && remove) delete copy[chosen[0]]
        else if (chosen && path.length === 1) copy[chosen[0]] = replacement
        else Object.defineProperty(copy, name, { value: replacement, enumerable: true, writable: true, configurable: true })
        return Array.isArray(value) ? Object.values(copy) : copy
      }
      const next = mutate(chosen[1], path.slice(1), replacement, remove, name)
      return Array.isArray(value) ? replace(value, i, next) : { ...value, [chosen[0]]: next }
    }
    fc.assert(
      fc.property(
        policy,
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.oneof(fc.jsonValue(), decimal, recipient, asset, windowMs, fc.constant(null)),
        fc.boolean(),
        fc.constantFrom('asset', 'perWindow', 'windowMs', 'hooks', 'extra', '__proto__', 'constructor', 'ETH', 'version'),
        (p, path, replacement, remove, name) => check(JSON.stringify(mutate(JSON.parse(policyToJson(p)), path, replacement, remove, name))),
      ),
      { numRuns: 1000 },
    )
  })
})
