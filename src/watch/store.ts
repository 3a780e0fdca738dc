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
import { deliverEvents, deliveredSince, pendingEvents, writeEvents, type DepositRow } from './outbox.js'
import { migrate } from './schema.js'
import type { SqlClient } from './sql.js'
import type { ChainCursor, DepositEvent, FoundDeposit, ScanStep, ShardProgress, StepResult, WatchedAddress, WatchSource } from './types.js'

/** Canonical form of an address for matching: hex and bech32 lower-cased, anything else as given. */
export function canonicalAddress(address: string): string {
  return /^0x[0-9a-f]+$/i.test(address) || /^[a-z]{1,20}1[02-9ac-hj-np-z]{6,}$/i.test(address) ? address.toLowerCase() : address
}

/** How many rows one bulk insert carries (Postgres takes up to 65,535 parameters; arrays are one each). */
const BULK = 10_000
/** Buckets an address can fall in (`hashtext(address) & 1023`): the most shards a chain can have. */
export const MAX_SHARDS = 1024
/** Blocks kept below the cursor for finding forks. */
const KEEP_BLOCKS = 512

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
           INSERT INTO coffer_watch_addresses (chain_id, address, reference, bucket)
           SELECT $1, a, r, hashtext(a) & 1023 FROM unnest($2::text[], $3::text[]) AS t(a, r)
           ON CONFLICT (chain_id, address) DO ${options.replace ? 'UPDATE SET reference = excluded.reference' : 'NOTHING'}
           RETURNING (xmax = 0) AS fresh
         ) SELECT count(*) FILTER (WHERE fresh)::int AS n FROM inserted`,
        [chainId, chunk.map((c) => c[0]), chunk.map((c) => c[1])],
      )
      added += Number(rows[0]?.n ?? 0)
    }
    // After the rows are in: a reader that read the old version reloads; one that reads the new one sees them.
    if (list.length > 0) await this.#bumpAddresses(chainId)
    return added
  }

  /** Marks `chainId`'s watched addresses changed (after the change, so a reader never caches a list older than the version it read). */
  async #bumpAddresses(chainId: ChainId, sql: SqlClient = this.sql): Promise<void> {
    await sql.query(
      `INSERT INTO coffer_watch_chains (chain_id, shards, addresses_version) VALUES ($1, 1, 1)
       ON CONFLICT (chain_id) DO UPDATE SET addresses_version = coffer_watch_chains.addresses_version + 1`,
      [chainId],
    )
  }

  /** A number that changes whenever `chainId`'s watched addresses do (a cache key). */
  async addressesVersion(chainId: ChainId): Promise<number> {
    const { rows } = await this.sql.query<{ v: string }>('SELECT addresses_version AS v FROM coffer_watch_chains WHERE chain_id = $1', [
      chainId,
    ])
    return Number(rows[0]?.v ?? 0)
  }

  /** How many addresses are watched on `chainId`. */
  async addressCount(chainId: ChainId): Promise<number> {
    const { rows } = await this.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM coffer_watch_addresses WHERE chain_id = $1', [
      chainId,
    ])
    return Number(rows[0]?.n ?? 0)
  }

  /**
   * Watched addresses of `chainId` in canonical order, a page at a time (`after`: the last of the
   * previous page); with `shard`, only that shard's of `shards`.
   */
  async addresses(
    chainId: ChainId,
    limit: number,
    after?: string,
    shard?: { readonly shard: number; readonly shards: number },
  ): Promise<WatchedAddress[]> {
    const { rows } = await this.sql.query<WatchedAddress>(
      `SELECT address, reference FROM coffer_watch_addresses
       WHERE chain_id = $1 AND ($2::text IS NULL OR address > $2) AND ($4::int IS NULL OR bucket % $5 = $4)
       ORDER BY address LIMIT $3`,
      [chainId, after ?? null, limit, shard?.shard ?? null, shard?.shards ?? 1],
    )
    return rows
  }

  /** How many shards `chainId`'s addresses are split in (1 until {@link setShards}). */
  async shards(chainId: ChainId, sql: SqlClient = this.sql): Promise<number> {
    const { rows } = await sql.query<{ shards: number }>('SELECT shards FROM coffer_watch_chains WHERE chain_id = $1', [chainId])
    return Number(rows[0]?.shards ?? 1)
  }

  /**
   * Splits `chainId`'s addresses into `shards` shards, each scanned on its own (by separate
   * workers). Changing the count while the chain is followed restarts every shard from the lowest
   * shard's cursor: the blocks above it are scanned again (nothing is reported twice — a deposit
   * already stored is recognised), and a step planned with the old count is refused at commit.
   * Returns false when the count was already `shards`.
   * @throws InvalidArgumentError unless 1 ≤ shards ≤ 1024
   */
  async setShards(chainId: ChainId, shards: number): Promise<boolean> {
    if (!Number.isSafeInteger(shards) || shards < 1 || shards > MAX_SHARDS)
      throw new InvalidArgumentError(`shards must be a whole number from 1 to ${MAX_SHARDS}.`)
    return this.sql.transaction(async (tx) => {
      await tx.query('INSERT INTO coffer_watch_chains (chain_id, shards) VALUES ($1, 1) ON CONFLICT (chain_id) DO NOTHING', [chainId])
      const { rows } = await tx.query<{ shards: number }>('SELECT shards FROM coffer_watch_chains WHERE chain_id = $1 FOR UPDATE', [
        chainId,
      ])
      if (Number(rows[0]?.shards) === shards) return false
      const { rows: low } = await tx.query<{ shard: number; height: string; hash: string }>(
        'SELECT shard, height, hash FROM coffer_watch_cursors WHERE chain_id = $1 ORDER BY height, shard LIMIT 1 FOR UPDATE',
        [chainId],
      )
      const from = low[0]
      if (from) {
        // Every new shard starts where the slowest old one stands, with its kept block hashes.
        await tx.query('DELETE FROM coffer_watch_blocks WHERE chain_id = $1 AND shard <> $2', [chainId, from.shard])
        await tx.query(
          `INSERT INTO coffer_watch_blocks (chain_id, shard, height, hash)
           SELECT b.chain_id, s, b.height, b.hash FROM coffer_watch_blocks b, generate_series(0, $3::int - 1) AS s
           WHERE b.chain_id = $1 AND b.shard = $2 AND s <> $2`,
          [chainId, from.shard, shards],
        )
        await tx.query('DELETE FROM coffer_watch_blocks WHERE chain_id = $1 AND shard >= $2', [chainId, shards])
        await tx.query('DELETE FROM coffer_watch_cursors WHERE chain_id = $1', [chainId])
        await tx.query(
          `INSERT INTO coffer_watch_cursors (chain_id, shard, height, hash) SELECT $1, s, $3, $4 FROM generate_series(0, $2::int - 1) AS s`,
          [chainId, shards, from.height, from.hash],
        )
      }
      await tx.query('UPDATE coffer_watch_chains SET shards = $2 WHERE chain_id = $1', [chainId, shards])
      return true
    })
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

  /**
   * Registers a key whose addresses are watched with a gap policy (or returns the registered one:
   * its reference and gap stay). Its addresses come with {@link extendSource}.
   */
  async addSource(
    chainId: ChainId,
    source: { readonly sourceId: string; readonly source: unknown; readonly reference: string; readonly gap: number },
  ): Promise<WatchSource> {
    await this.sql.query(
      `INSERT INTO coffer_watch_sources (chain_id, source_id, source, reference, gap) VALUES ($1, $2, $3::jsonb, $4, $5)
       ON CONFLICT (chain_id, source_id) DO NOTHING`,
      [chainId, source.sourceId, JSON.stringify(source.source), source.reference, source.gap],
    )
    return (await this.sources(chainId)).find((s) => s.sourceId === source.sourceId) as WatchSource
  }

  /** The sources of `chainId`. */
  async sources(chainId: ChainId): Promise<WatchSource[]> {
    const { rows } = await this.sql.query<{
      source_id: string
      source: unknown
      reference: string
      gap: number
      derived: number
      used: number
    }>('SELECT source_id, source, reference, gap, derived, used FROM coffer_watch_sources WHERE chain_id = $1 ORDER BY source_id', [
      chainId,
    ])
    return rows.map((r) => ({
      sourceId: r.source_id,
      source: typeof r.source === 'string' ? (JSON.parse(r.source) as unknown) : r.source,
      reference: r.reference,
      gap: Number(r.gap),
      derived: Number(r.derived),
      used: Number(r.used),
    }))
  }

  /**
   * Watches a source's next addresses — `addresses[k]` is index `from + k` — in one transaction,
   * only if the source still has `from` derived (else another process extended it first: null).
   * Returns the new count derived.
   */
  async extendSource(chainId: ChainId, sourceId: string, from: number, addresses: readonly string[]): Promise<number | null> {
    return this.sql.transaction(async (tx) => {
      const { rows } = await tx.query<{ derived: number; reference: string }>(
        'SELECT derived, reference FROM coffer_watch_sources WHERE chain_id = $1 AND source_id = $2 FOR UPDATE',
        [chainId, sourceId],
      )
      const row = rows[0]
      if (!row || Number(row.derived) !== from) return null
      const list = addresses.map(canonicalAddress)
      for (let i = 0; i < list.length; i += BULK) {
        const chunk = list.slice(i, i + BULK)
        await tx.query(
          `INSERT INTO coffer_watch_addresses (chain_id, address, reference, bucket, source_id, source_index)
           SELECT $1, a, $3 || '/' || (n - 1 + $4)::text, hashtext(a) & 1023, $2, n - 1 + $4
           FROM unnest($5::text[]) WITH ORDINALITY AS t(a, n)
           ON CONFLICT (chain_id, address) DO NOTHING`,
          [chainId, sourceId, row.reference, from + i, chunk],
        )
      }
      await this.#bumpAddresses(chainId, tx)
      await tx.query('UPDATE coffer_watch_sources SET derived = $3 WHERE chain_id = $1 AND source_id = $2', [
        chainId,
        sourceId,
        from + list.length,
      ])
      return from + list.length
    })
  }

  /** The cursor of a chain's shard (default 0), or null before its first step. */
  async cursor(chainId: ChainId, shard = 0): Promise<ChainCursor | null> {
    const { rows } = await this.sql.query<{ height: string; hash: string }>(
      'SELECT height, hash FROM coffer_watch_cursors WHERE chain_id = $1 AND shard = $2',
      [chainId, shard],
    )
    const r = rows[0]
    return r ? { height: Number(r.height), hash: r.hash } : null
  }

  /** Every started shard of `chainId`: its cursor and last error. */
  async progress(chainId: ChainId): Promise<ShardProgress[]> {
    const { rows } = await this.sql.query<{ shard: number; height: string; hash: string; last_error: string | null }>(
      'SELECT shard, height, hash, last_error FROM coffer_watch_cursors WHERE chain_id = $1 ORDER BY shard',
      [chainId],
    )
    return rows.map((r) => ({
      shard: Number(r.shard),
      height: Number(r.height),
      hash: r.hash,
      ...(r.last_error ? { lastError: r.last_error } : {}),
    }))
  }

  /** Records (or with null clears) a shard's last error, if the shard has started. */
  async recordError(chainId: ChainId, shard: number, error: string | null): Promise<void> {
    await this.sql.query('UPDATE coffer_watch_cursors SET last_error = $3 WHERE chain_id = $1 AND shard = $2', [
      chainId,
      shard,
      error === null ? null : error.slice(0, 500),
    ])
  }

  /** Stored block hashes of a chain's shard below `height`, newest first (where to look for a fork). */
  async blocksBelow(chainId: ChainId, height: number, shard = 0, limit = KEEP_BLOCKS): Promise<ChainCursor[]> {
    const { rows } = await this.sql.query<{ height: string; hash: string }>(
      'SELECT height, hash FROM coffer_watch_blocks WHERE chain_id = $1 AND shard = $2 AND height < $3 ORDER BY height DESC LIMIT $4',
      [chainId, shard, height, limit],
    )
    return rows.map((r) => ({ height: Number(r.height), hash: r.hash }))
  }

  /**
   * Commits one scan step in one transaction: reorged deposits (above the fork), new deposits
   * (a reorged one seen again comes back), confirmations, their events, the block hashes and
   * the cursor. Returns null, having changed nothing, when the shard's cursor is no longer
   * `step.from` (another process made this step) or the chain's shard count changed since.
   */
  async commitStep(step: ScanStep): Promise<StepResult | null> {
    const shard = step.shard ?? 0
    const shards = step.shards ?? 1
    return this.sql.transaction(async (tx) => {
      const { rows: conf } = await tx.query<{ shards: number }>('SELECT shards FROM coffer_watch_chains WHERE chain_id = $1 FOR SHARE', [
        step.chainId,
      ])
      if (Number(conf[0]?.shards ?? 1) !== shards) return null
      const { rows: cur } = await tx.query<{ height: string; hash: string }>(
        'SELECT height, hash FROM coffer_watch_cursors WHERE chain_id = $1 AND shard = $2 FOR UPDATE',
        [step.chainId, shard],
      )
      const at = cur[0] ? { height: Number(cur[0].height), hash: cur[0].hash } : null
      if ((at === null) !== (step.from === null) || (at && step.from && (at.height !== step.from.height || at.hash !== step.from.hash)))
        return null
      // This shard's deposits: bucket % shards = shard.
      const mine = 'chain_id = $1 AND bucket % $2 = $3'
      const scope = [step.chainId, shards, shard]
      let reorged = 0
      if (step.forkHeight !== undefined) {
        const { rows } = await tx.query<DepositRow>(
          `UPDATE coffer_watch_deposits SET state = 'reorged' WHERE ${mine} AND block_height > $4 AND state <> 'reorged' RETURNING *`,
          [...scope, step.forkHeight],
        )
        reorged = await writeEvents(tx, 'reorged', rows)
        await tx.query('DELETE FROM coffer_watch_blocks WHERE chain_id = $1 AND shard = $2 AND height > $3', [
          step.chainId,
          shard,
          step.forkHeight,
        ])
      }
      const refs = await this.referencesOf(
        step.chainId,
        step.deposits.map((d) => d.address),
        tx,
      )
      const fresh = step.deposits.filter((d) => refs.has(canonicalAddress(d.address)))
      if (step.assets && step.from) {
        // Stored deposits of the scanned assets in the scanned range that the scan did not find again left the chain.
        const base = step.forkHeight ?? step.from.height
        const { rows } = await tx.query<DepositRow>(
          `UPDATE coffer_watch_deposits SET state = 'reorged'
           WHERE ${mine} AND block_height > $4 AND block_height <= $5 AND state <> 'reorged' AND asset = ANY($6::text[])
             AND NOT EXISTS (SELECT 1 FROM unnest($7::text[], $8::int[]) AS f(h, i) WHERE f.h = tx_hash AND f.i = log_index)
           RETURNING *`,
          [...scope, base, step.to.height, step.assets, fresh.map((d) => d.hash), fresh.map((d) => d.index)],
        )
        reorged += await writeEvents(tx, 'reorged', rows)
      }
      let detected = 0
      if (fresh.length > 0) {
        const col = <T>(f: (d: FoundDeposit) => T) => fresh.map(f)
        const { rows } = await tx.query<DepositRow>(
          `INSERT INTO coffer_watch_deposits (chain_id, tx_hash, log_index, asset, address, reference, sender, amount, block_height, block_hash, state, bucket)
           SELECT $1, h, i, a, ad, r, s, am::numeric, bh, bk, 'detected', hashtext(ad) & 1023
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
        detected = await writeEvents(tx, 'detected', rows)
        // A deposit to a derived address moves its source's highest paid index (the gap follows it).
        await tx.query(
          `UPDATE coffer_watch_sources s SET used = greatest(s.used, m.i)
           FROM (SELECT source_id, max(source_index) AS i FROM coffer_watch_addresses
                 WHERE chain_id = $1 AND address = ANY($2::text[]) AND source_id IS NOT NULL GROUP BY source_id) m
           WHERE s.chain_id = $1 AND s.source_id = m.source_id`,
          [step.chainId, rows.map((r) => r.address)],
        )
      }
      const { rows: ripe } = await tx.query<DepositRow>(
        `UPDATE coffer_watch_deposits SET state = 'confirmed' WHERE ${mine} AND state = 'detected' AND block_height <= $4 RETURNING *`,
        [...scope, step.confirmedThrough],
      )
      const confirmed = await writeEvents(tx, 'confirmed', ripe)
      const blocks = [...new Map([...step.blocks, step.to].map((b) => [b.height, b])).values()]
      await tx.query(
        `INSERT INTO coffer_watch_blocks (chain_id, shard, height, hash) SELECT $1, $2, h, k FROM unnest($3::bigint[], $4::text[]) AS t(h, k)
         ON CONFLICT (chain_id, shard, height) DO UPDATE SET hash = excluded.hash`,
        [step.chainId, shard, blocks.map((b) => b.height), blocks.map((b) => b.hash)],
      )
      await tx.query('DELETE FROM coffer_watch_blocks WHERE chain_id = $1 AND shard = $2 AND height < $3', [
        step.chainId,
        shard,
        step.to.height - KEEP_BLOCKS,
      ])
      await tx.query(
        `INSERT INTO coffer_watch_cursors (chain_id, shard, height, hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT (chain_id, shard) DO UPDATE SET height = excluded.height, hash = excluded.hash, last_error = NULL, updated_at = now()`,
        [step.chainId, shard, step.to.height, step.to.hash],
      )
      return { detected, confirmed, reorged }
    })
  }

  /** Delivers pending events in order to `handler` (see the outbox: each acknowledged once, a throw stops the round there). */
  async deliver(handler: (event: DepositEvent) => Promise<void> | void, limit = 100): Promise<{ delivered: number; error?: unknown }> {
    return deliverEvents(this.sql, handler, limit)
  }

  /** Events acknowledged in the last `seconds` (by any process). */
  async deliveredSince(seconds: number): Promise<number> {
    return deliveredSince(this.sql, seconds)
  }

  /** Events not yet acknowledged. */
  async pendingEvents(): Promise<number> {
    return pendingEvents(this.sql)
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
