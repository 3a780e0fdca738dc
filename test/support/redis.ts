/**
 * A throwaway Redis server for tests: `redis-server` on a free loopback port, nothing saved to
 * disk, stopped after. The binary comes from `REDIS_SERVER`, else the PATH / Debian's
 * `/usr/bin/redis-server`; without one `startRedis` returns undefined (`.ci/run` installs the
 * `redis-server` package).
 * @module
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { Redis } from 'ioredis'
import { freePort, startGuarded } from '../../src/testing/process.js'

/** A running server. */
export interface LocalRedis {
  readonly host: string
  readonly port: number
  stop(): Promise<void>
}

/** The redis-server binary, if this machine has one. */
export function redisBin(): string | undefined {
  if (process.env.REDIS_SERVER) return process.env.REDIS_SERVER
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { stdio: 'pipe' }).toString().trim() || undefined
  } catch {
    return existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : undefined
  }
}

/** Starts a server, or returns undefined when no redis-server is installed. */
export async function startRedis(): Promise<LocalRedis | undefined> {
  const bin = redisBin()
  if (!bin) return undefined
  const port = await freePort()
  const server = await startGuarded(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'])
  const deadline = Date.now() + 20_000
  for (;;) {
    const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    client.on('error', () => undefined) // not listening yet: the connect below rejects, and we try again
    try {
      await client.connect()
      await client.ping()
      client.disconnect()
      break
    } catch (error) {
      client.disconnect()
      if (server.exited() || Date.now() > deadline) {
        await server.stop()
        throw new Error(`redis-server did not start: ${String(error)}\n${server.output()}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  return { host: '127.0.0.1', port, stop: () => server.stop() }
}
