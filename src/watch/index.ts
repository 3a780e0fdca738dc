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
export {
  DepositWatcher,
  type DepositWatcherOptions,
  type KeySources,
  type RoundReport,
  type StepReport,
  type WatchMetrics,
  type WatchUnit,
} from './watcher.js'
export { canonicalAddress, DepositStore, MAX_SHARDS } from './store.js'
export type { ChainCursor, DepositEvent, FoundDeposit, ScanStep, ShardProgress, StepResult, WatchedAddress, WatchSource } from './types.js'
export { deriveWatchAddresses, keySources, sourceId, MAX_WATCH_ADDRESSES, type AddressSourceKey } from './derive.js'
export { pgClient, pgliteClient, type PgPoolLike, type PGliteLike, type SqlClient } from './sql.js'
export { MIGRATIONS } from './schema.js'
export { runWatchWorkers, type WatchWorkers, type WatchWorkersOptions } from './queue.js'
export {
  signWebhook,
  verifyWebhook,
  webhookHandler,
  WEBHOOK_EVENT_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  type VerifyWebhookOptions,
  type WebhookOptions,
  type WebhookSecret,
} from './webhook.js'
