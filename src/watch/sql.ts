/**
 * The SQL the deposit store needs, over either Postgres client: PGlite (Postgres in WASM,
 * embedded, no service) or node-postgres (`pg`) for a server. Both speak the same SQL with `$n`
 * parameters and return `{ rows }`; the store runs every change in one transaction.
 * @module
 */
import { InvalidArgumentError } from '../core/errors.js'

/** A Postgres connection or pool the store runs its SQL on. */
export interface SqlClient {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ rows: T[] }>
  /** Runs `task` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(task: (tx: SqlClient) => Promise<T>): Promise<T>
}

/** What a PGlite instance offers (`new PGlite()` from `@electric-sql/pglite`). */
export interface PGliteLike {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>
  transaction<T>(task: (tx: { query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }> }) => Promise<T>): Promise<T>
}

/** What a node-postgres `Pool` offers. */
export interface PgPoolLike {
  connect(): Promise<{ query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>; release(error?: Error | boolean): void }>
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>
}

/** The store's SQL client over a PGlite database. */
export function pgliteClient(db: PGliteLike): SqlClient {
  if (!db || typeof db.query !== 'function' || typeof db.transaction !== 'function')
    throw new InvalidArgumentError('pgliteClient takes a PGlite instance (new PGlite() from @electric-sql/pglite).')
  const wrap = (q: PGliteLike['query'], inTx: boolean): SqlClient => ({
    query: <T>(text: string, params?: readonly unknown[]) => q.call(db, text, params ? [...params] : []) as Promise<{ rows: T[] }>,
    transaction: (task) =>
      inTx
        ? task(wrap(q, true))
        : db.transaction((tx) => task(wrap(((text: string, params?: unknown[]) => tx.query(text, params)) as PGliteLike['query'], true))),
  })
  return wrap(db.query, false)
}

/** The store's SQL client over a node-postgres pool (each transaction on one pooled connection). */
export function pgClient(pool: PgPoolLike): SqlClient {
  if (!pool || typeof pool.connect !== 'function' || typeof pool.query !== 'function')
    throw new InvalidArgumentError('pgClient takes a node-postgres Pool (new Pool({ connectionString }) from pg).')
  const client = (run: (text: string, params?: unknown[]) => Promise<{ rows: unknown[] }>, inTx: boolean): SqlClient => ({
    query: async <T>(text: string, params?: readonly unknown[]) => (await run(text, params ? [...params] : [])) as { rows: T[] },
    transaction: async (task) => {
      if (inTx) return task(client(run, true))
      const connection = await pool.connect()
      try {
        await connection.query('BEGIN')
        const result = await task(client((text, params) => connection.query(text, params), true))
        await connection.query('COMMIT')
        connection.release()
        return result
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => undefined)
        connection.release(true)
        throw error
      }
    },
  })
  return client((text, params) => pool.query(text, params), false)
}
