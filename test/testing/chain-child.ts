/**
 * A program that uses coffer/testing as a user's script would: it starts a local chain, prints
 * `{ pid, rpcUrl }` as one JSON line, then either holds on (`hold`: a timer keeps it running
 * until a signal comes) or simply ends without calling stop() (`forget`).
 */
import { startLocalChain } from '../../src/testing/index.js'

const local = await startLocalChain({ tokens: [] })
process.stdout.write(`${JSON.stringify({ pid: local.pid, rpcUrl: local.rpcUrl })}\n`)
if (process.argv[2] === 'hold') setInterval(() => undefined, 1_000)
