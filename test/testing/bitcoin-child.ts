/**
 * Calls startLocalBitcoin() and prints what happened as one JSON line: `{ ok: true }` or the
 * error's name, code, shortMessage and details. test/testing/hide-package.mjs can make a
 * package unresolvable first (HIDE=<name>), as if it were not installed.
 */
import { startLocalBitcoin } from '../../src/testing/index.js'

try {
  const node = await startLocalBitcoin()
  await node.stop()
  process.stdout.write(`${JSON.stringify({ ok: true })}\n`)
} catch (error) {
  const e = error as { name: string; code?: string; shortMessage?: string; details?: unknown }
  process.stdout.write(`${JSON.stringify({ name: e.name, code: e.code, shortMessage: e.shortMessage, details: e.details })}\n`)
}
