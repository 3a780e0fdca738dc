/**
 * Per-seed cache of PUBLIC derivation results for `deriveAccount` / `deriveAccounts`.
 *
 * Keyed weakly by the caller's seed object, so an entry lives no longer than the seed it
 * came from (and never longer than the caller keeps that seed). It holds only what an xpub
 * holds — a parent's compressed public key and chain code — plus,
 * for Bitcoin, the account node's path and xpub that `deriveAccount` returns anyway.
 * No private key, no master chain code, no seed bytes.
 *
 * The seed's bytes can change under the same object (a caller zeroes it, or reuses the
 * buffer for another seed), so every entry carries a SHA-256 digest of the bytes it was
 * made from; each lookup re-hashes the seed (64 bytes: about a microsecond) and drops the
 * entry on any mismatch. The digest is a one-way function of the seed: it lets one test a
 * guessed seed, which the public addresses allow already, and nothing more.
 * @module
 * @internal
 */
import { equalBytes } from '@noble/curves/abstract/utils.js'
import { sha256 } from '@noble/hashes/sha2.js'

/** A parent node's public half, shared by every child below it. No secret. */
export interface PublicParent {
  /** Indices actually used from the master key to the parent (an invalid child may move one on). */
  readonly path: readonly number[]
  /** 33-byte compressed public key of the parent. */
  readonly publicKey: Uint8Array
  /** 32-byte chain code of the parent (with `publicKey`, exactly the parent's xpub). */
  readonly chainCode: Uint8Array
  /** Bitcoin only: the account node (deepest hardened ancestor) and its xpub. */
  readonly account?: { readonly accountPath: string; readonly accountXpub: string }
}

interface SeedEntry {
  digest: Uint8Array
  parents: Map<string, PublicParent>
}

/** Parents kept per seed object: a few templates (chains, accounts, networks) each. */
export const MAX_PARENTS_PER_SEED = 16

const cache = new WeakMap<Uint8Array, SeedEntry>()

/**
 * A handle on `seed`'s cache for one call: the digest is taken once, here, so a lookup and a
 * later store in the same call agree on which bytes they describe.
 */
export interface SeedCacheView {
  get(key: string): PublicParent | undefined
  set(key: string, parent: PublicParent): void
}

/** Opens `seed`'s entry, dropping it first if the seed's bytes changed since it was made. */
export function seedCache(seed: Uint8Array): SeedCacheView {
  const digest = sha256(seed)
  let entry = cache.get(seed)
  if (entry && !equalBytes(entry.digest, digest)) {
    cache.delete(seed)
    entry = undefined
  }
  return {
    get: (key) => entry?.parents.get(key),
    set: (key, parent) => {
      if (!entry) {
        entry = { digest, parents: new Map() }
        cache.set(seed, entry)
      }
      if (entry.parents.size >= MAX_PARENTS_PER_SEED) entry.parents.delete(entry.parents.keys().next().value as string)
      entry.parents.set(key, Object.freeze(parent))
    },
  }
}

/** What is cached for `seed` right now (digest and parents), for tests. @internal */
export function seedCacheEntry(seed: Uint8Array): { digest: Uint8Array; parents: PublicParent[] } | undefined {
  const entry = cache.get(seed)
  return entry && { digest: entry.digest, parents: [...entry.parents.values()] }
}
