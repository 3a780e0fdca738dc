/**
 * Browser page for test/browser/scrypt.test.ts: unlocks a scrypt vault while watching the
 * main thread, through the built `coffer` package. The page counts the Web Workers started (by
 * wrapping `Worker`, when the page has one) and measures the longest gap between 0 ms timer
 * ticks and the longest `longtask` entry while the unlock runs.
 */
import { Vault, memoryStorage, type KdfOptions } from 'coffer'
import { expose } from './expose.js'

// The few browser types this page uses, typed here: a lib="dom" reference would add the DOM
// types to the whole project's type check.
type WorkerClass = new (url: string | URL, options?: object) => object
interface PerformanceEntryLike {
  readonly duration: number
}
interface PerformanceObserverClass {
  readonly supportedEntryTypes: readonly string[]
  new (callback: (list: { getEntries(): readonly PerformanceEntryLike[] }) => void): {
    observe(options: { type: string; buffered?: boolean }): void
    takeRecords(): readonly PerformanceEntryLike[]
    disconnect(): void
  }
}
const PerformanceObserver = (globalThis as unknown as { PerformanceObserver: PerformanceObserverClass }).PerformanceObserver

let workersStarted = 0
const NativeWorker = (globalThis as { Worker?: WorkerClass }).Worker
if (typeof NativeWorker === 'function') {
  ;(globalThis as { Worker?: unknown }).Worker = class CountedWorker extends NativeWorker {
    constructor(...args: ConstructorParameters<WorkerClass>) {
      super(...args)
      workersStarted++
    }
  }
}

/** The main thread's responsiveness while `task` runs: the longest gap between timer ticks and the longest long task. */
async function watchMainThread<T>(
  task: () => Promise<T>,
): Promise<{ result: T; totalMs: number; longestGapMs: number; longestTaskMs: number }> {
  let longestTaskMs = 0
  const observer = PerformanceObserver.supportedEntryTypes.includes('longtask')
    ? new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) longestTaskMs = Math.max(longestTaskMs, entry.duration)
      })
    : undefined
  observer?.observe({ type: 'longtask' })
  let last = performance.now()
  let longestGapMs = 0
  let running = true
  const tick = () => {
    const now = performance.now()
    longestGapMs = Math.max(longestGapMs, now - last)
    last = now
    if (running) setTimeout(tick, 0)
  }
  setTimeout(tick, 0)
  const start = performance.now()
  try {
    const result = await task()
    const end = performance.now()
    longestGapMs = Math.max(longestGapMs, end - last)
    // let the last long task be reported before reading the observer
    await new Promise((resolve) => setTimeout(resolve, 50))
    for (const entry of observer?.takeRecords() ?? []) longestTaskMs = Math.max(longestTaskMs, entry.duration)
    return { result, totalMs: end - start, longestGapMs, longestTaskMs }
  } finally {
    running = false
    observer?.disconnect()
  }
}

const storage = memoryStorage()

expose({
  hasWorker: () => typeof NativeWorker === 'function',
  workersStarted: () => workersStarted,
  /** Creates a vault under `kdf` (not measured). */
  async create(password: string, kdf: KdfOptions) {
    await Vault.create({ storage, password, kdf })
  },
  /** Opens the vault and unlocks it while watching the main thread. */
  async unlock(password: string) {
    const vault = await Vault.open({ storage })
    const before = workersStarted
    const watched = await watchMainThread(async () => {
      await vault.unlock(password)
      return vault.isLocked
    })
    vault.lock()
    return {
      locked: watched.result,
      totalMs: watched.totalMs,
      longestGapMs: watched.longestGapMs,
      longestTaskMs: watched.longestTaskMs,
      workers: workersStarted - before,
    }
  },
})
