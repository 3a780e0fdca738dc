/**
 * The event outbox (`coffer_watch_events`): events written in the transaction of the state they
 * report, and delivered in order, each acknowledged in the transaction that locked it.
 * @module
 * @internal
 */
import type { AssetId, ChainId } from '../core/caip.js'
import type { SqlClient } from './sql.js'
import type { DepositEvent } from './types.js'

/** A `coffer_watch_deposits` row as the store reads it. */
export interface DepositRow {
  chain_id: string
  tx_hash: string
  log_index: number
  asset: string
  address: string
  reference: string
  sender: string
  amount: string
  block_height: string | number
  block_hash: string
}

/** A pending `coffer_watch_events` row. */
interface EventRow {
  id: string | number
  kind: DepositEvent['kind']
  payload: Record<string, string | number>
}

/** The event a row holds, as the handler gets it. */
function event(row: EventRow): DepositEvent {
  const p = typeof row.payload === 'string' ? (JSON.parse(row.payload) as EventRow['payload']) : row.payload
  return Object.freeze({
    id: String(row.id),
    kind: row.kind,
    chainId: p.chainId as ChainId,
    asset: p.asset as AssetId,
    address: String(p.address),
    reference: String(p.reference),
    from: String(p.from),
    amount: BigInt(p.amount as string),
    hash: String(p.hash),
    index: Number(p.index),
    blockHeight: Number(p.blockHeight),
    blockHash: String(p.blockHash),
  })
}

/** The event payload of a deposit row. */
function payload(d: DepositRow): Record<string, string | number> {
  return {
    chainId: d.chain_id,
    asset: d.asset,
    address: d.address,
    reference: d.reference,
    from: d.sender,
    amount: String(d.amount),
    hash: d.tx_hash,
    index: Number(d.log_index),
    blockHeight: Number(d.block_height),
    blockHash: d.block_hash,
  }
}

/** Writes one `kind` event per row (oldest block first). Returns how many. */
export async function writeEvents(tx: SqlClient, kind: DepositEvent['kind'], rows: readonly DepositRow[]): Promise<number> {
  if (rows.length === 0) return 0
  const sorted = [...rows].sort((a, b) => Number(a.block_height) - Number(b.block_height) || a.log_index - b.log_index)
  await tx.query(
    `INSERT INTO coffer_watch_events (kind, chain_id, tx_hash, log_index, payload)
     SELECT $1, c, h, i, p::jsonb FROM unnest($2::text[], $3::text[], $4::int[], $5::text[]) WITH ORDINALITY AS t(c, h, i, p, n) ORDER BY n`,
    [
      kind,
      sorted.map((r) => r.chain_id),
      sorted.map((r) => r.tx_hash),
      sorted.map((r) => r.log_index),
      sorted.map((r) => JSON.stringify(payload(r))),
    ],
  )
  return rows.length
}

/**
 * Delivers pending events in order to `handler`, each acknowledged (marked delivered) in the
 * same transaction that locked it: another process skips locked events, a crash before the
 * commit leaves the event pending (delivered again), and a handler that throws stops the round
 * there (the event keeps its place; its attempts and the error are recorded). Returns how many
 * were acknowledged.
 */
export async function deliverEvents(
  sql: SqlClient,
  handler: (event: DepositEvent) => Promise<void> | void,
  limit: number,
): Promise<{ delivered: number; error?: unknown }> {
  let delivered = 0
  for (let i = 0; i < limit; i++) {
    let failure: unknown
    let failed: string | number | undefined
    const done = await sql.transaction(async (tx) => {
      const { rows } = await tx.query<EventRow>(
        `SELECT id, kind, payload FROM coffer_watch_events WHERE delivered_at IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      )
      const row = rows[0]
      if (!row) return 'empty'
      try {
        await handler(event(row))
      } catch (error) {
        failure = error
        failed = row.id
        return 'failed'
      }
      await tx.query('UPDATE coffer_watch_events SET delivered_at = now(), attempts = attempts + 1 WHERE id = $1', [row.id])
      return 'delivered'
    })
    if (done === 'failed') {
      await sql
        .query('UPDATE coffer_watch_events SET attempts = attempts + 1, last_error = $2 WHERE id = $1', [
          failed,
          String(failure instanceof Error ? failure.message : failure).slice(0, 500),
        ])
        .catch(() => undefined)
      return { delivered, error: failure }
    }
    if (done === 'empty') break
    delivered++
  }
  return { delivered }
}

/** Events acknowledged in the last `seconds` (by any process). */
export async function deliveredSince(sql: SqlClient, seconds: number): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM coffer_watch_events WHERE delivered_at > now() - make_interval(secs => $1)`,
    [seconds],
  )
  return Number(rows[0]?.n ?? 0)
}

/** Events not yet acknowledged. */
export async function pendingEvents(sql: SqlClient): Promise<number> {
  const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM coffer_watch_events WHERE delivered_at IS NULL')
  return Number(rows[0]?.n ?? 0)
}
