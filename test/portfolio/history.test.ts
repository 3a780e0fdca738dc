/** mergedHistory over fake adapters: any paging gives the one merged, newest-first sequence. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ChainAdapter, HistoryItem, HistoryOptions } from '../../src/chains/adapter.js'
import { mergedHistory, type HistorySource } from '../../src/portfolio/history.js'

const ASSET = 'eip155:1/slip44:60' as const

/**
 * An adapter whose history is `items` (newest first), served in pages of at most `pageSize`
 * whatever limit is asked (like an EVM node whose scan window ends early), with an offset cursor.
 */
function fakeAdapter(items: HistoryItem[], pageSize: number): ChainAdapter {
  return {
    getHistory: async (_address: string, options: HistoryOptions = {}) => {
      const offset = options.cursor === undefined ? 0 : Number(options.cursor)
      const take = Math.min(options.limit ?? 50, pageSize)
      const page = items.slice(offset, offset + take)
      return { items: page, ...(offset + take < items.length ? { cursor: String(offset + take) } : {}) }
    },
  } as unknown as ChainAdapter
}

function source(account: string, items: HistoryItem[], pageSize: number): HistorySource {
  const meta = [{ id: ASSET, symbol: 'ETH', decimals: 18 }]
  return { account: { chainId: 'eip155:1', address: account }, adapter: fakeAdapter(items, pageSize), assets: meta, known: meta }
}

const history = (account: string, times: number[], pending: number): HistoryItem[] => [
  ...Array.from({ length: pending }, (_, i): HistoryItem => ({
    chainId: 'eip155:1',
    hash: `${account}-p${i}`,
    asset: ASSET,
    direction: 'in',
    from: 'x',
    to: account,
    amount: 1n,
    state: 'pending',
  })),
  ...[...times]
    .sort((a, b) => b - a)
    .map((t, i): HistoryItem => ({
      chainId: 'eip155:1',
      hash: `${account}-${i}`,
      asset: ASSET,
      direction: 'in',
      from: 'x',
      to: account,
      amount: BigInt(i),
      blockHeight: t,
      timestamp: t * 1000,
      state: 'confirmed',
    })),
]

async function all(sources: HistorySource[], limit: number): Promise<string[]> {
  const out: string[] = []
  let cursor: string | undefined
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await mergedHistory(sources, limit, cursor)
    expect(page.items.length).toBeLessThanOrEqual(limit)
    out.push(...page.items.map((i) => i.hash))
    cursor = page.cursor
    if (cursor === undefined) return out
  }
  throw new Error('paging did not end')
}

describe('mergedHistory', () => {
  it('pages through every account without gaps or repeats, newest first, whatever the limits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            times: fc.array(fc.integer({ min: 1, max: 1_000 }), { maxLength: 12 }),
            pending: fc.integer({ min: 0, max: 2 }),
            pageSize: fc.integer({ min: 1, max: 5 }),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        fc.integer({ min: 1, max: 7 }),
        async (accounts, limit) => {
          const sources = accounts.map((a, i) => source(`acct${i}`, history(`acct${i}`, a.times, a.pending), a.pageSize))
          const paged = await all(sources, limit)
          const expected = accounts.flatMap((a, i) => history(`acct${i}`, a.times, a.pending))
          expect([...paged].sort()).toEqual(expected.map((i) => i.hash).sort())
          // Newest first: pending first, then by time.
          const byHash = new Map(expected.map((i) => [i.hash, i]))
          const keys = paged.map((h) => byHash.get(h)!).map((i) => (i.blockHeight === undefined ? Infinity : i.timestamp!))
          expect(keys).toEqual([...keys].sort((x, y) => y - x))
        },
      ),
      { numRuns: 150 },
    )
  })

  it('rejects cursors it did not make', async () => {
    const sources = [source('a', history('a', [1, 2, 3], 0), 2)]
    for (const bad of ['bogus', '', 'eyJ4Ijp7InMiOi0xfX0', '!!!', 'W10']) {
      await expect(mergedHistory(sources, 2, bad)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    }
    await fc.assert(
      fc.asyncProperty(fc.string(), async (text) => {
        await mergedHistory(sources, 2, text).catch((error: { code?: string }) => expect(error.code).toBe('INVALID_ARGUMENT'))
      }),
      { numRuns: 200 },
    )
  })
})
