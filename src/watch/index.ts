/**
 * `coffer/watch`: deposits at scale. A {@link DepositWatcher} follows chains for incoming
 * transfers to many watched addresses (one per customer) and delivers `detected`, `confirmed` and
 * `reorged` events in order, each acknowledged once, from a Postgres outbox
 * ({@link DepositStore} over PGlite or node-postgres: {@link pgliteClient}, {@link pgClient}).
 *
 * @example
 * import { PGlite } from '@electric-sql/pglite'
 * const store = await DepositStore.open(pgliteClient(new PGlite('./deposits')))
 * const watcher = new DepositWatcher({ store, chains: [adapter], confirmations: 12, handler: credit })
 * await watcher.addAddresses('eip155:1', customers.map((c) => ({ address: c.address, reference: c.id })))
 * watcher.start()
 * @module
 */
export { DepositWatcher, type DepositWatcherOptions, type RoundReport, type WatchMetrics } from './watcher.js'
export {
  canonicalAddress,
  DepositStore,
  type ChainCursor,
  type DepositEvent,
  type FoundDeposit,
  type ScanStep,
  type StepResult,
  type WatchedAddress,
} from './store.js'
export { pgClient, pgliteClient, type PgPoolLike, type PGliteLike, type SqlClient } from './sql.js'
export { MIGRATIONS } from './schema.js'
