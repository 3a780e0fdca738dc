/**
 * A throwaway PostgreSQL server for tests: `initdb` into a temp folder and `postgres` on a free
 * loopback port (trust auth, fsync off), stopped and deleted after. Postgres refuses to run as
 * root: as root, the folder is given to the `postgres` user and both run through `runuser`.
 * The binaries come from `PG_BIN`, else Debian's `/usr/lib/postgresql/<version>/bin`; without
 * them `startPostgres` returns undefined (`.ci/run` installs the `postgresql` package).
 * @module
 */
import { execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { freePort, startGuarded } from '../../src/testing/process.js'

/** A running server. */
export interface LocalPostgres {
  /** `postgres://coffer@127.0.0.1:<port>/postgres` */
  readonly url: string
  stop(): Promise<void>
}

/** The folder with initdb and postgres, if this machine has one. */
export function postgresBin(): string | undefined {
  if (process.env.PG_BIN) return process.env.PG_BIN
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] ? join(root, versions[0], 'bin') : undefined
}

/** Starts a server, or returns undefined when no PostgreSQL binaries are installed. */
export async function startPostgres(): Promise<LocalPostgres | undefined> {
  const bin = postgresBin()
  if (!bin) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'coffer-pg-'))
  const data = join(dir, 'data')
  const root = process.getuid?.() === 0
  const as = (command: string, args: string[]): [string, string[]] =>
    root ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString())
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString())
    chownSync(dir, uid, gid)
  }
  execFileSync(...as(join(bin, 'initdb'), ['-D', data, '-U', 'coffer', '--auth=trust', '-E', 'UTF8', '--no-sync']), { stdio: 'pipe' })
  const port = await freePort()
  const server = await startGuarded(
    ...as(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off']),
  )
  const url = `postgres://coffer@127.0.0.1:${port}/postgres`
  const deadline = Date.now() + 30_000
  for (;;) {
    const client = new pg.Client({ connectionString: url })
    try {
      await client.connect()
      await client.query('SELECT 1')
      await client.end()
      break
    } catch (error) {
      await client.end().catch(() => undefined)
      if (server.exited() || Date.now() > deadline) {
        await server.stop()
        rmSync(dir, { recursive: true, force: true })
        throw new Error(`postgres did not start: ${String(error)}\n${server.output()}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  return {
    url,
    stop: async () => {
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
