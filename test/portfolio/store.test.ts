/**
 * The portfolio's saved-state store against storages that fail or hang: every wait ends at the
 * deadline with a typed error, writes never overlap, and writes asked for while one waits share it.
 */
import { describe, expect, it } from 'vitest'
import type { CofferError } from 'coffer'
import { decodeState } from '../../src/portfolio/persist.js'
import { StateStore } from '../../src/portfolio/store.js'
import type { PortfolioStorage } from '../../src/portfolio/types.js'

const state = (savedAt: number) => ({ savedAt, currency: 'usd', prices: {}, chains: {} })
const never = () => new Promise<never>(() => {})

describe('StateStore', () => {
  it('a storage that never answers: the read and the write end at the deadline, each reported once', async () => {
    const errors: CofferError[] = []
    const store = new StateStore({ get: never, set: never }, 'portfolio', 30, (e) => errors.push(e))
    expect(await store.read([])).toBeUndefined()
    await store.write(() => state(1))
    await store.write(() => state(2)) // queued behind the hung write: it ends at its own deadline
    await store.settled()
    expect(errors.map((e) => [e.code, e.details?.deadlineMs])).toEqual([
      ['DEADLINE_EXCEEDED', 30],
      ['DEADLINE_EXCEEDED', 30],
      ['DEADLINE_EXCEEDED', 30],
    ])
  })

  it('never overlaps writes; writes asked for while one waits share it and write the newest state', async () => {
    const calls: string[] = []
    const releases: (() => void)[] = []
    const storage: PortfolioStorage = {
      get: async () => undefined,
      set: (_key, value) => {
        calls.push(`set ${decodeState(value, [])!.savedAt}`)
        return new Promise<void>((resolve) => releases.push(() => resolve()))
      },
    }
    const store = new StateStore(storage, 'portfolio', 60_000, () => {})
    let now = 1
    const first = store.write(() => state(now))
    await Promise.resolve()
    now = 2
    const second = store.write(() => state(now))
    now = 3
    const third = store.write(() => state(now))
    expect(third).toBe(second)
    while (calls.length === 0) await new Promise((r) => setTimeout(r, 1))
    expect(calls).toEqual(['set 1'])
    releases[0]!()
    await first
    while (calls.length === 1) await new Promise((r) => setTimeout(r, 1))
    expect(calls).toEqual(['set 1', 'set 3'])
    releases[1]!()
    await second
    await store.settled()
  })

  it('reports a storage error as a StorageError and reads a damaged record as nothing', async () => {
    const errors: CofferError[] = []
    const broken = new StateStore(
      { get: async () => Promise.reject(new Error('disk')), set: async () => Promise.reject(new Error('disk')) },
      'k',
      1_000,
      (e) => errors.push(e),
    )
    expect(await broken.read([])).toBeUndefined()
    await broken.write(() => state(1))
    expect(errors.map((e) => e.code)).toEqual(['STORAGE', 'STORAGE'])
    expect(await new StateStore({ get: async () => '{"format":', set: async () => {} }, 'k', 1_000, () => {}).read([])).toBeUndefined()
  })
})
