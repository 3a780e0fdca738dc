/** A lane: one job at a time, in order, and a backoff that doubles per failure in a row up to its cap. */
import { describe, expect, it } from 'vitest'
import { Lane } from '../../src/portfolio/lane.js'

describe('Lane', () => {
  it('runs one job at a time, in the order asked, whether a job fails or not', async () => {
    const lane = new Lane()
    const log: string[] = []
    let release = () => {}
    const first = lane.run(async () => {
      log.push('first starts')
      await new Promise<void>((resolve) => (release = resolve))
      log.push('first ends')
      throw new Error('first fails')
    })
    const second = lane.run(async () => {
      log.push('second runs')
      return 2
    })
    await Promise.resolve()
    expect(log).toEqual(['first starts'])
    release()
    await expect(first).rejects.toThrow('first fails')
    await expect(second).resolves.toBe(2)
    expect(log).toEqual(['first starts', 'first ends', 'second runs'])
  })

  it('waits the interval, doubled per failure in a row, never past the cap nor below the interval', () => {
    const lane = new Lane()
    expect(lane.delay(100, 1_000)).toBe(100)
    const waits = [true, false, false, false, false, false, false].map((ok) => {
      lane.record(ok)
      return lane.delay(100, 1_000)
    })
    expect(waits).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000])
    expect(lane.failures).toBe(6)
    expect(lane.delay(5_000, 1_000)).toBe(5_000)
    lane.record(true)
    expect([lane.failures, lane.delay(100, 1_000)]).toEqual([0, 100])
  })

  it('repeats its round until stopped; stop() waits for the round in flight', async () => {
    const lane = new Lane()
    let rounds = 0
    let release = () => {}
    lane.start(
      async () => {
        rounds++
        if (rounds === 3) await new Promise<void>((resolve) => (release = resolve))
      },
      10,
      10,
    )
    while (rounds < 3) await new Promise((r) => setTimeout(r, 5))
    let stopped = false
    const stopping = lane.stop().then(() => (stopped = true))
    await new Promise((r) => setTimeout(r, 20))
    expect(stopped).toBe(false)
    release()
    await stopping
    const after = rounds
    await new Promise((r) => setTimeout(r, 40))
    expect(rounds).toBe(after)
  })
})
