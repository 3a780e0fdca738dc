/** Shared fixtures for vault tests: fast-but-valid KDF settings and a watcher for event-loop stalls. */
import type { KdfOptions } from 'coffer/vault'

/** The cheapest KDF a vault accepts (PBKDF2-SHA256 at the 600,000-iteration floor, ~0.1 s natively). */
export const FAST_KDF: KdfOptions = { name: 'pbkdf2-sha256', iterations: 600_000 }

export const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
export const LEGAL = 'legal winner thank year wave sausage worth useful legal winner thank yellow'

/** Runs `task` while measuring the longest gap between 5 ms timer ticks (event-loop stalls). */
export async function longestStall<T>(task: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  let last = performance.now()
  let worst = 0
  const timer = setInterval(() => {
    const now = performance.now()
    worst = Math.max(worst, now - last)
    last = now
  }, 5)
  try {
    const result = await task()
    return { result, stallMs: Math.max(worst, performance.now() - last) }
  } finally {
    clearInterval(timer)
  }
}
