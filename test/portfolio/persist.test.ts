/** The saved portfolio record: round trip, and any damaged text is ignored, never thrown on. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeState, encodeState, type SavedPortfolio } from '../../src/portfolio/persist.js'

const hex = (n: number) => fc.stringMatching(new RegExp(`^0x[0-9a-f]{${n}}$`))
const block = fc.record({ height: fc.nat(10_000_000), hash: hex(64), parentHash: fc.oneof(hex(64), fc.constant('')), timestamp: fc.nat() })
const units = fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }).map(String)
const tracker = fc.record(
  {
    blocks: fc.array(block, { maxLength: 5 }),
    sinceFull: fc.nat(100),
    baseline: fc.nat(10_000_000),
    updatedAt: fc.nat(),
    stale: fc.boolean(),
    readings: fc.array(
      fc.record({
        account: hex(40),
        asset: fc.constant('eip155:1/slip44:60'),
        amount: units,
        pending: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
        blockHeight: fc.nat(),
      }),
      { maxLength: 4 },
    ),
    announced: fc.array(
      fc.record(
        {
          chainId: fc.constant('eip155:1'),
          account: hex(40),
          direction: fc.constantFrom('in', 'out', 'self'),
          asset: fc.constant('eip155:1/slip44:60'),
          symbol: fc.string({ maxLength: 10 }),
          decimals: fc.nat(36),
          amount: units,
          from: hex(40),
          to: hex(40),
          hash: hex(64),
          blockHeight: fc.nat(),
          index: fc.nat(1000),
          state: fc.constantFrom('pending', 'confirmed'),
        },
        { requiredKeys: ['chainId', 'account', 'direction', 'asset', 'symbol', 'decimals', 'amount', 'from', 'to', 'hash', 'state'] },
      ),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: ['blocks', 'sinceFull', 'stale', 'readings', 'announced'] },
)

describe('saved portfolio state', () => {
  it('round-trips', () => {
    fc.assert(
      fc.property(tracker, fc.nat(), (t, savedAt) => {
        const state = {
          savedAt,
          currency: 'usd',
          prices: { 'eip155:1/slip44:60': { price: '3000.5', at: 1 } },
          chains: { 'eip155:1': t },
        } as unknown as SavedPortfolio
        const back = decodeState(encodeState(state), ['eip155:1'])
        expect(back).toEqual(JSON.parse(JSON.stringify(state)))
      }),
      { numRuns: 200 },
    )
  })

  it('ignores damaged, foreign or other-version records instead of throwing', () => {
    const good = encodeState({ savedAt: 1, currency: 'usd', prices: {}, chains: {} })
    expect(decodeState(good, [])).toEqual({ savedAt: 1, currency: 'usd', prices: {}, chains: {} })
    for (const bad of [
      undefined,
      '',
      'null',
      '[]',
      '{',
      good.replace('"version":1', '"version":2'),
      good.replace('coffer-portfolio', 'other'),
    ]) {
      expect(decodeState(bad, ['eip155:1'])).toBeUndefined()
    }
    // A chain whose part is damaged is dropped alone.
    const partial = JSON.stringify({ ...JSON.parse(good), chains: { 'eip155:1': { blocks: 'x' } } })
    expect(decodeState(partial, ['eip155:1'])?.chains).toEqual({})
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.json().map((j) => good.replace('"chains":{}', `"chains":{"eip155:1":${j}}`)),
        ),
        (text) => {
          const result = decodeState(text, ['eip155:1'])
          expect(result === undefined || typeof result.savedAt === 'number').toBe(true)
        },
      ),
      { numRuns: 300 },
    )
  })
})
