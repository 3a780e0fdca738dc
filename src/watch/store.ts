/**
 * The deposit store: watched addresses, per-chain cursors, deposits and the event outbox, in
 * Postgres (PGlite embedded, or a server). Every scan step is one transaction (`commitStep`):
 * the deposits it found, the events they make and the new cursor are written together, so a
 * process that dies mid-step leaves nothing half-done, and a step another process already made is
 * refused (the cursor it started from has moved).
 * @module
 */
import type { AssetId, ChainId } from '../core/caip.js'
import { InvalidArgumentError } from '../core/errors.js'
import { migrate } from './schema.js'
import type { SqlClient } from './sql.js'

/** A watched address and the caller's reference for it (a customer id). */
export interface WatchedAddress {
  readonly address: string
  readonly reference: string
}

/** Where a chain's scan stands. */
export interface ChainCursor {
  readonly height: number
  readonly hash: string
}

/** A transfer to a watched address, found by a scan. */
export interface FoundDeposit {
  readonly asset: AssetId
  /** The watched address that received it. */
  readonly address: string
  readonly from: string
  /** Base units. */
  readonly amount: bigint
  readonly hash: string
  /** Position in the block (EVM log index); with `hash`, names the deposit. */
  readonly index: number
  readonly blockHeight: number
  readonly blockHash: string
}

/** A deposit event, as the handler receives it. */
export interface DepositEvent extends FoundDeposit {
  /** The outbox id: unique, increasing; a handler that must not act twice keys on it. */
  readonly id: string
  /**
   * `detected`: seen in a block; `confirmed`: the configured depth reached (credit it);
   * `reorged`: its block left the chain — if it was confirmed, the credit must be undone (it may
   * come back: then `detected` and `confirmed` again).
   */
  readonly kind: 'detected' | 'confirmed' | 'reorged'
  readonly chainId: ChainId
  /** The caller's reference of the address (a customer id). */
  readonly reference: string
}

/** One scan step's result, committed at once. */
export interface ScanStep {
  readonly chainId: ChainId
  /** The cursor the step started from (null: the chain's first step). */
  readonly from: ChainCursor | null
  /** Where the chain forked below `from` (a reorg): deposits above it are reorged. */
  readonly forkHeight?: number
  readonly deposits: readonly FoundDeposit[]
  /** Block hashes worth keeping for finding forks later (the new cursor's, the deposits'). */
  readonly blocks: readonly ChainCursor[]
  readonly to: ChainCursor
  /** Deposits at or below this height are confirmed. */
  readonly confirmedThrough: number
}

/** What a committed step did. */
export interface StepResult {
  readonly detected: number
  readonly confirmed: number
  readonly reorged: number
}

/** Canonical form of an address for matching: hex and bech32 lower-cased, anything else as given. */
export function canonicalAddress(address: string): string {
  return /^0x[0-9a-f]+$/i.test(address) || /^[a-z]{1,20}1[02-9ac-hj-np-z]{6,}$/i.test(address) ? address.toLowerCase() : address
}

/** How many rows one bulk insert carries (Postgres takes up to 65,535 parameters; arrays are one each). */
const BULK = 10_000
/** Blocks kept below the cursor for finding forks. */
const KEEP_BLOCKS = 512

interface DepositRow {
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

interface EventRow {
  id: string | number
  kind: DepositEvent['kind']
  payload: Record<string, string | number>
}

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

/** The deposit store over a Postgres client. Create with {@link DepositStore.open} (it migrates). */
export class DepositStore {
  readonly sql: SqlClient

  private constructor(sql: SqlClient) {
    this.sql = sql
  }

  /** Opens the store on `sql`, applying any missing migrations. */
  static async open(sql: SqlClient): Promise<DepositStore> {
    await migrate(sql)
    return new DepositStore(sql)
  }

  /**
   * Watches `addresses` on `chainId` (bulk: one statement per 10,000). An address already watched
   * keeps its reference unless `replace` is set. Returns how many were new.
   * @throws InvalidArgumentError for an entry without an address or a reference
   */
  async addAddresses(chainId: ChainId, addresses: readonly WatchedAddress[], options: { replace?: boolean } = {}): Promise<number> {
    const list = addresses.map((a, i) => {
      if (!a || typeof a.address !== 'string' || a.address.length === 0 || a.address.length > 200)
        throw new InvalidArgumentError(`addresses[${i}].address must be an address.`)
      if (typeof a.reference !== 'string' || a.reference.length > 500)
        throw new InvalidArgumentError(`addresses[${i}].reference must be a string (the caller's id for it).`)
      return [canonicalAddress(a.address), a.reference] as const
    })
    let added = 0
    for (let i = 0; i < list.length; i += BULK) {
      const chunk = list.slice(i, i + BULK)
      const { rows } = await this.sql.query<{ n: number }>(
        `WITH inserted AS (
           INSERT INTO coffer_watch_addresses (chain_id, address, reference)
           SELECT $1, a, r FROM unnest($2::text[], $3::text[]) AS t(a, r)
           ON CONFLICT (chain_id, address) DO ${options.replace ? 'UPDATE SET reference = excluded.reference' : 'NOTHING'}
           RETURNING (xmax = 0) AS fresh
         ) SELECT count(*) FILTER (WHERE fresh)::int AS n FROM inserted`,
        [chainId, chunk.map((c) => c[0]), chunk.map((c) => c[1])],
      )
      added += Number(rows[0]?.n ?? 0)
    }
    return added
  }

  /** How many addresses are watched on `chainId`. */
  async addressCount(chainId: ChainId): Promise<number> {
    const { rows } = await this.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM coffer_watch_addresses WHERE chain_id = $1', [
      chainId,
    ])
    return Number(rows[0]?.n ?? 0)
  }

  /** Watched addresses of `chainId` in canonical order, a page at a time (`after`: the last of the previous page). */
  async addresses(chainId: ChainId, limit: number, after?: string): Promise<WatchedAddress[]> {
    const { rows } = await this.sql.query<WatchedAddress>(
      `SELECT address, reference FROM coffer_watch_addresses WHERE chain_id = $1 AND ($2::text IS NULL OR address > $2)
       ORDER BY address LIMIT $3`,
      [chainId, after ?? null, limit],
    )
    return rows
  }

  /** The references of those of `addresses` that are watched (canonical address → reference). */
  async referencesOf(chainId: ChainId, addresses: readonly string[], sql: SqlClient = this.sql): Promise<Map<string, string>> {
    if (addresses.length === 0) return new Map()
    const { rows } = await sql.query<WatchedAddress>(
      'SELECT address, reference FROM coffer_watch_addresses WHERE chain_id = $1 AND address = ANY($2::text[])',
      [chainId, [...new Set(addresses.map(canonicalAddress))]],
    )
    return new Map(rows.map((r) => [r.address, r.reference]))
  }

  /** The chain's cursor, or null before its first step. */
  async cursor(chainId: ChainId): Promise<ChainCursor | null> {
    const { rows } = await this.sql.query<{ height: string; hash: string }>(
      'SELECT height, hash FROM coffer_watch_cursors WHERE chain_id = $1',
      [chainId],
    )
    const r = rows[0]
    return r ? { height: Number(r.height), hash: r.hash } : null
  }

  /** Stored block hashes of `chainId` below `height`, newest first (where to look for a fork). */
  async blocksBelow(chainId: ChainId, height: number, limit = KEEP_BLOCKS): Promise<ChainCursor[]> {
    const { rows } = await this.sql.query<{ height: string; hash: string }>(
      'SELECT height, hash FROM coffer_watch_blocks WHERE chain_id = $1 AND height < $2 ORDER BY height DESC LIMIT $3',
      [chainId, height, limit],
    )
    return rows.map((r) => ({ height: Number(r.height), hash: r.hash }))
  }

  /**
   * Commits one scan step in one transaction: reorged deposits (above the fork), new deposits
   * (a reorged one seen again comes back), confirmations, their events, the block hashes and
   * the cursor. Returns null, having changed nothing, when the cursor is no longer `step.from`
   * (another process made this step).
   */
  async commitStep(step: ScanStep): Promise<StepResult | null> {
    return this.sql.transaction(async (tx) => {
      const { rows: cur } = await tx.query<{ height: string; hash: string }>(
        'SELECT height, hash FROM coffer_watch_cursors WHERE chain_id = $1 FOR UPDATE',
        [step.chainId],
      )
      const at = cur[0] ? { height: Number(cur[0].height), hash: cur[0].hash } : null
      if ((at === null) !== (step.from === null) || (at && step.from && (at.height !== step.from.height || at.hash !== step.from.hash)))
        return null
      let reorged = 0
      if (step.forkHeight !== undefined) {
        const { rows } = await tx.query<DepositRow>(
          `UPDATE coffer_watch_deposits SET state = 'reorged' WHERE chain_id = $1 AND block_height > $2 AND state <> 'reorged' RETURNING *`,
          [step.chainId, step.forkHeight],
        )
        reorged = await this.#events(tx, 'reorged', rows)
        await tx.query('DELETE FROM coffer_watch_blocks WHERE chain_id = $1 AND height > $2', [step.chainId, step.forkHeight])
      }
      const refs = await this.referencesOf(
        step.chainId,
        step.deposits.map((d) => d.address),
        tx,
      )
      const fresh = step.deposits.filter((d) => refs.has(canonicalAddress(d.address)))
      let detected = 0
      if (fresh.length > 0) {
        const col = <T>(f: (d: FoundDeposit) => T) => fresh.map(f)
        const { rows } = await tx.query<DepositRow>(
          `INSERT INTO coffer_watch_deposits (chain_id, tx_hash, log_index, asset, address, reference, sender, amount, block_height, block_hash, state)
           SELECT $1, h, i, a, ad, r, s, am::numeric, bh, bk, 'detected'
           FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[])
             AS t(h, i, a, ad, r, s, am, bh, bk)
           ON CONFLICT (chain_id, tx_hash, log_index) DO UPDATE
             SET state = 'detected', block_height = excluded.block_height, block_hash = excluded.block_hash
             WHERE coffer_watch_deposits.state = 'reorged'
           RETURNING *`,
          [
            step.chainId,
            col((d) => d.hash),
            col((d) => d.index),
            col((d) => d.asset),
            col((d) => canonicalAddress(d.address)),
            col((d) => refs.get(canonicalAddress(d.address)) as string),
            col((d) => d.from),
            col((d) => d.amount.toString()),
            col((d) => d.blockHeight),
            col((d) => d.blockHash),
          ],
        )
        detected = await this.#events(tx, 'detected', rows)
      }
      const { rows: ripe } = await tx.query<DepositRow>(
        `UPDATE coffer_watch_deposits SET state = 'confirmed' WHERE chain_id = $1 AND state = 'detected' AND block_height <= $2 RETURNING *`,
        [step.chainId, step.confirmedThrough],
      )
      const confirmed = await this.#events(tx, 'confirmed', ripe)
      const blocks = [...new Map([...step.blocks, step.to].map((b) => [b.height, b])).values()]
      await tx.query(
        `INSERT INTO coffer_watch_blocks (chain_id, height, hash) SELECT $1, h, k FROM unnest($2::bigint[], $3::text[]) AS t(h, k)
         ON CONFLICT (chain_id, height) DO UPDATE SET hash = excluded.hash`,
        [step.chainId, blocks.map((b) => b.height), blocks.map((b) => b.hash)],
      )
      await tx.query('DELETE FROM coffer_watch_blocks WHERE chain_id = $1 AND height < $2', [step.chainId, step.to.height - KEEP_BLOCKS])
      await tx.query(
        `INSERT INTO coffer_watch_cursors (chain_id, height, hash) VALUES ($1, $2, $3)
         ON CONFLICT (chain_id) DO UPDATE SET height = excluded.height, hash = excluded.hash, updated_at = now()`,
        [step.chainId, step.to.height, step.to.hash],
      )
      return { detected, confirmed, reorged }
    })
  }

  /** Writes one event per row (oldest block first). */
  async #events(tx: SqlClient, kind: DepositEvent['kind'], rows: readonly DepositRow[]): Promise<number> {
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
   * there (the event keeps its place; attempts and the error are recorded). Returns how many were
   * acknowledged.
   */
  async deliver(handler: (event: DepositEvent) => Promise<void> | void, limit = 100): Promise<{ delivered: number; error?: unknown }> {
    let delivered = 0
    for (let i = 0; i < limit; i++) {
      let failure: unknown
      const done = await this.sql.transaction(async (tx) => {
        const { rows } = await tx.query<EventRow>(
          `SELECT id, kind, payload FROM coffer_watch_events WHERE delivered_at IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        )
        const row = rows[0]
        if (!row) return 'empty'
        try {
          await handler(event(row))
        } catch (error) {
          failure = error
          return 'failed'
        }
        await tx.query('UPDATE coffer_watch_events SET delivered_at = now(), attempts = attempts + 1 WHERE id = $1', [row.id])
        return 'delivered'
      })
      if (done === 'failed') {
        await this.sql
          .query(
            `UPDATE coffer_watch_events SET attempts = attempts + 1, last_error = $1
             WHERE id = (SELECT id FROM coffer_watch_events WHERE delivered_at IS NULL ORDER BY id LIMIT 1)`,
            [String(failure instanceof Error ? failure.message : failure).slice(0, 500)],
          )
          .catch(() => undefined)
        return { delivered, error: failure }
      }
      if (done === 'empty') break
      delivered++
    }
    return { delivered }
  }

  /** Events not yet acknowledged. */
  async pendingEvents(): Promise<number> {
    const { rows } = await this.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM coffer_watch_events WHERE delivered_at IS NULL')
    return Number(rows[0]?.n ?? 0)
  }

  /** Deposits of `chainId` with their state (for reports and tests), oldest first. */
  async deposits(chainId: ChainId): Promise<(FoundDeposit & { reference: string; state: string })[]> {
    const { rows } = await this.sql.query<DepositRow & { state: string }>(
      'SELECT * FROM coffer_watch_deposits WHERE chain_id = $1 ORDER BY block_height, log_index',
      [chainId],
    )
    return rows.map((r) => ({
      asset: r.asset as AssetId,
      address: r.address,
      reference: r.reference,
      from: r.sender,
      amount: BigInt(r.amount),
      hash: r.tx_hash,
      index: r.log_index,
      blockHeight: Number(r.block_height),
      blockHash: r.block_hash,
      state: r.state,
    }))
  }
}
