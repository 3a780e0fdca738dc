/**
 * Tiny timing harness for `npm run bench`: warm up, run a few rounds, keep the median.
 * Results are printed as Markdown tables so they can be pasted into the README.
 * Never used by `npm test` (no timing thresholds in tests).
 */

/** One measured row. */
export interface Row {
  name: string
  /** Operations per second (median round). */
  opsPerSec: number
  /** Median round time in ms. */
  ms: number
  note?: string
}

/** Runs `fn` (which performs `ops` operations) `rounds` times after one warm-up; returns the median. */
export async function measure(name: string, ops: number, fn: () => unknown | Promise<unknown>, rounds = 5, note?: string): Promise<Row> {
  await fn()
  const times: number[] = []
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now()
    await fn()
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  const ms = times[Math.floor(times.length / 2)] as number
  return { name, ms, opsPerSec: (ops / ms) * 1000, note }
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

/** Prints rows as a Markdown table with a ratio column against `baseline` (a row name). */
export function table(title: string, unit: string, rows: Row[], baseline?: string): string {
  const base = rows.find((r) => r.name === baseline)
  const lines = [`### ${title}`, '', `| how | ${unit} | ms | vs ${baseline ?? '—'} |`, '|---|---:|---:|---:|']
  for (const r of rows) {
    const ratio = base ? `${(r.opsPerSec / base.opsPerSec).toFixed(2)}×` : ''
    lines.push(`| ${r.name}${r.note ? ` (${r.note})` : ''} | ${fmt(r.opsPerSec, r.opsPerSec < 10 ? 2 : 0)} | ${fmt(r.ms, 1)} | ${ratio} |`)
  }
  const text = lines.join('\n')
  console.log(`${text}\n`)
  return text
}

/**
 * Measures several contenders round-robin (round 1 of each, then round 2 of each, …) so that
 * machine noise and JIT warm-up fall evenly on all of them; each gets one warm-up run first.
 */
export async function measureAll(entries: [name: string, fn: () => unknown | Promise<unknown>][], ops: number, rounds = 5): Promise<Row[]> {
  for (const [, fn] of entries) await fn()
  const times = entries.map(() => [] as number[])
  for (let round = 0; round < rounds; round++) {
    for (const [i, [, fn]] of entries.entries()) {
      const t0 = performance.now()
      await fn()
      times[i]!.push(performance.now() - t0)
    }
  }
  return entries.map(([name], i) => {
    const sorted = times[i]!.sort((a, b) => a - b)
    const ms = sorted[Math.floor(sorted.length / 2)] as number
    return { name, ms, opsPerSec: (ops / ms) * 1000 }
  })
}

/** Runs `fn` once and times it. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = performance.now()
  const result = await fn()
  return { ms: performance.now() - t0, result }
}

/** Calls `fn` for every item with at most `inFlight` calls running at once. */
export async function limit<T>(items: readonly T[], inFlight: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < items.length) await fn(items[next++] as T)
    }),
  )
}
