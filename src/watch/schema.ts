/**
 * The deposit store's tables, as versioned migrations (the same SQL on PGlite and Postgres).
 * `migrate` applies the missing ones in order, each in its own transaction, under an advisory
 * lock so two processes starting together do not both apply one.
 *
 * - `coffer_watch_addresses`: what is watched, per chain (canonical address, the caller's reference).
 * - `coffer_watch_cursors`: per chain, the last block scanned and its hash.
 * - `coffer_watch_blocks`: hashes of recent scanned blocks (cursor positions and deposit blocks),
 *   to find where a reorg forked.
 * - `coffer_watch_deposits`: each incoming transfer to a watched address, and its state.
 * - `coffer_watch_events`: the outbox — every `detected` / `confirmed` / `reorged` event, written in
 *   the same transaction as the state it reports, delivered in order and marked when acknowledged.
 *
 * Version 2 splits a chain's addresses into shards scanned independently (by separate workers):
 * every address gets a fixed `bucket` (`hashtext(address) & 1023`, stable across Postgres
 * versions), a shard of a chain with `n` shards holds the buckets `b % n = shard`
 * (`coffer_watch_chains.shards`), and cursors, kept block hashes and deposits are per shard. The
 * cursor row also keeps the shard's last error (for metrics seen from any process).
 * `coffer_watch_sources` holds extended public keys / descriptors watched with a gap policy: how
 * many addresses were derived and the highest index paid; each derived address names its source.
 *
 * Version 3 counts changes to a chain's watched addresses (`coffer_watch_chains.addresses_version`,
 * bumped by every add): a watcher keeps a shard's address list in memory until it changes.
 * @module
 * @internal
 */
import type { SqlClient } from './sql.js'

/** The migrations, in order; a migration's version is its index + 1. Never edit one: append. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE coffer_watch_addresses (
    chain_id text NOT NULL,
    address text NOT NULL,
    reference text NOT NULL,
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chain_id, address)
  );
  CREATE TABLE coffer_watch_cursors (
    chain_id text PRIMARY KEY,
    height bigint NOT NULL,
    hash text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE coffer_watch_blocks (
    chain_id text NOT NULL,
    height bigint NOT NULL,
    hash text NOT NULL,
    PRIMARY KEY (chain_id, height)
  );
  CREATE TABLE coffer_watch_deposits (
    chain_id text NOT NULL,
    tx_hash text NOT NULL,
    log_index integer NOT NULL,
    asset text NOT NULL,
    address text NOT NULL,
    reference text NOT NULL,
    sender text NOT NULL,
    amount numeric(78, 0) NOT NULL CHECK (amount > 0),
    block_height bigint NOT NULL,
    block_hash text NOT NULL,
    state text NOT NULL CHECK (state IN ('detected', 'confirmed', 'reorged')),
    PRIMARY KEY (chain_id, tx_hash, log_index)
  );
  CREATE INDEX coffer_watch_deposits_open ON coffer_watch_deposits (chain_id, state, block_height);
  CREATE TABLE coffer_watch_events (
    id bigserial PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('detected', 'confirmed', 'reorged')),
    chain_id text NOT NULL,
    tx_hash text NOT NULL,
    log_index integer NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    attempts integer NOT NULL DEFAULT 0,
    last_error text
  );
  CREATE INDEX coffer_watch_events_pending ON coffer_watch_events (id) WHERE delivered_at IS NULL;
  `,
  `
  ALTER TABLE coffer_watch_addresses ADD COLUMN bucket integer NOT NULL DEFAULT 0;
  UPDATE coffer_watch_addresses SET bucket = hashtext(address) & 1023;
  ALTER TABLE coffer_watch_deposits ADD COLUMN bucket integer NOT NULL DEFAULT 0;
  UPDATE coffer_watch_deposits SET bucket = hashtext(address) & 1023;
  ALTER TABLE coffer_watch_cursors ADD COLUMN shard integer NOT NULL DEFAULT 0;
  ALTER TABLE coffer_watch_cursors ADD COLUMN last_error text;
  ALTER TABLE coffer_watch_cursors DROP CONSTRAINT coffer_watch_cursors_pkey;
  ALTER TABLE coffer_watch_cursors ADD PRIMARY KEY (chain_id, shard);
  ALTER TABLE coffer_watch_blocks ADD COLUMN shard integer NOT NULL DEFAULT 0;
  ALTER TABLE coffer_watch_blocks DROP CONSTRAINT coffer_watch_blocks_pkey;
  ALTER TABLE coffer_watch_blocks ADD PRIMARY KEY (chain_id, shard, height);
  CREATE TABLE coffer_watch_chains (
    chain_id text PRIMARY KEY,
    shards integer NOT NULL CHECK (shards BETWEEN 1 AND 1024)
  );
  CREATE INDEX coffer_watch_events_delivered ON coffer_watch_events (delivered_at) WHERE delivered_at IS NOT NULL;
  CREATE TABLE coffer_watch_sources (
    chain_id text NOT NULL,
    source_id text NOT NULL,
    source jsonb NOT NULL,
    reference text NOT NULL,
    gap integer NOT NULL CHECK (gap BETWEEN 1 AND 10000),
    derived integer NOT NULL DEFAULT 0,
    used integer NOT NULL DEFAULT -1,
    PRIMARY KEY (chain_id, source_id)
  );
  ALTER TABLE coffer_watch_addresses ADD COLUMN source_id text;
  ALTER TABLE coffer_watch_addresses ADD COLUMN source_index integer;
  `,
  `
  ALTER TABLE coffer_watch_chains ADD COLUMN addresses_version bigint NOT NULL DEFAULT 0;
  INSERT INTO coffer_watch_chains (chain_id, shards) SELECT DISTINCT chain_id, 1 FROM coffer_watch_addresses ON CONFLICT (chain_id) DO NOTHING;
  `,
]

/** An arbitrary constant naming coffer's migration lock among the database's advisory locks. */
const MIGRATION_LOCK = 0x636f6666

/** Applies the migrations the database lacks. Returns the schema version. */
export async function migrate(sql: SqlClient): Promise<number> {
  return sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await tx.query(
      'CREATE TABLE IF NOT EXISTS coffer_watch_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    )
    const { rows } = await tx.query<{ version: number | null }>('SELECT max(version) AS version FROM coffer_watch_migrations')
    const current = Number(rows[0]?.version ?? 0)
    for (let v = current + 1; v <= MIGRATIONS.length; v++) {
      // One statement per query: PGlite's query runs one (node-postgres would take them all).
      for (const statement of (MIGRATIONS[v - 1] as string).split(';').map((x) => x.trim())) if (statement) await tx.query(statement)
      await tx.query('INSERT INTO coffer_watch_migrations (version) VALUES ($1)', [v])
    }
    return MIGRATIONS.length
  })
}
