/**
 * What makes each build of a transaction its own: Bitcoin Core's anti-fee-sniping lock time
 * (`nLockTime` = the tip height, in one build of ten a random 0–99 blocks earlier) and a fresh
 * random order of inputs and outputs. Two builds of the same payment then almost never share a
 * sighash, so signatures made over different claims about the same coins cannot be combined
 * (the CVE-2020-14199 pattern), and the change output is not told apart by its position.
 * @module
 * @internal
 */
import { isIntegerIn } from '../../core/assert.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { InvalidArgumentError } from '../../core/errors.js'

/** Lock times from 500,000,000 on are Unix times, not heights. */
const LOCKTIME_THRESHOLD = 500_000_000

/** A uniform random integer in [0, n), from the platform CSPRNG (rejection sampling, no modulo bias). */
function randomIndex(n: number): number {
  if (!isIntegerIn(n, 1, 0xffff_ffff)) throw new InvalidArgumentError('randomIndex needs an integer from 1 to 2^32 - 1.')
  const limit = 0x1_0000_0000 - (0x1_0000_0000 % n)
  for (;;) {
    const [a, b, c, d] = randomBytes(4) as unknown as [number, number, number, number]
    const x = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d
    if (x < limit) return x % n
  }
}

/** A copy of `list` in a uniformly random order (Fisher–Yates). */
export function shuffled<T>(list: readonly T[]): T[] {
  const out = [...list]
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomIndex(i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/**
 * The lock time of a new transaction at `tipHeight` (Bitcoin Core's `DiscourageFeeSniping`): the
 * tip height, so the transaction cannot be mined in a re-org of an earlier block; one time in
 * ten, up to 99 blocks earlier, so transactions that are slow to confirm do not stand out.
 * @throws InvalidArgumentError when the height is not a block height
 */
export function antiFeeSnipingLockTime(tipHeight: number): number {
  if (!isIntegerIn(tipHeight, 0, LOCKTIME_THRESHOLD - 1))
    throw new InvalidArgumentError(`The tip height must be a block height below ${LOCKTIME_THRESHOLD}, got ${String(tipHeight)}.`)
  if (randomIndex(10) !== 0) return tipHeight
  return Math.max(0, tipHeight - randomIndex(100))
}
