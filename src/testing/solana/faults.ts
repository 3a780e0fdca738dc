/**
 * The local Solana server's fault layer, for failure tests: a rule matches requests by
 * JSON-RPC method; 'before' answers in place of the server (nothing is executed), 'after' lets
 * the server execute the request (a sent transaction lands) and then replaces its answer — an
 * HTTP status and body, 'hang' (never answer: the client times out), or a JSON-RPC error for
 * the matching calls. Internally (coffer's own tests, not the public `SolanaFaultRule`), an
 * 'after' rule may instead `rewrite` the results of the matching calls: a node that lies.
 *
 * Not part of coffer/testing's public API; coffer's own tests reach it through
 * test/support/solana-server.ts.
 * @module
 * @internal
 */
import type { SolanaFault, SolanaFaultRule, SolanaServer } from './types.js'
import { FaultRules } from '../fault-rules.js'

/** A fault rule as the layer takes it: a public rule, or (internal) one that rewrites results. */
export interface FaultRule extends Omit<SolanaFaultRule, 'fault'> {
  /** What to answer instead; omit it for a rule that only rewrites. */
  readonly fault?: SolanaFault
  /**
   * Replaces the result of each matching call (after it executed; `when` defaults to 'after' for
   * a rule without `fault`). Errors are left alone. For tests of a node that lies.
   */
  readonly rewrite?: (method: string, result: unknown, params: unknown) => unknown
}

/** The server as coffer's own tests see it: `addFault` takes internal rules too. */
export interface TestSolanaServer extends Omit<SolanaServer, 'addFault'> {
  addFault(rule: FaultRule): () => void
}

/** What a matched rule does to the request. */
export interface FaultMatch {
  readonly fault?: SolanaFault
  readonly rewrite?: FaultRule['rewrite']
  readonly matches: (method: string) => boolean
}

export class FaultLayer {
  readonly #rules = new FaultRules<FaultRule>()
  readonly log: string[] = []

  add(rule: FaultRule): () => void {
    if (rule.fault === undefined && rule.rewrite === undefined) throw new Error('solana-server: a fault rule needs a fault or a rewrite')
    if (rule.rewrite !== undefined && rule.when === 'before') throw new Error("solana-server: a rewrite applies 'after' the call")
    return this.#rules.add(rule)
  }

  clear(): void {
    this.#rules.clear()
  }

  /** The first rule matching any of `methods` at this stage, counted as used. */
  match(methods: readonly string[], when: 'before' | 'after'): FaultMatch | undefined {
    const test = (r: FaultRule, m: string) => r.method === undefined || (typeof r.method === 'string' ? r.method === m : r.method.test(m))
    const rule = this.#rules.take(
      (r) => (r.when ?? (r.fault === undefined ? 'after' : 'before')) === when && methods.some((m) => test(r, m)),
    )
    if (!rule) return undefined
    const what =
      rule.fault === undefined
        ? 'rewritten'
        : typeof rule.fault === 'string'
          ? rule.fault
          : 'status' in rule.fault
            ? String(rule.fault.status)
            : `rpc error ${rule.fault.rpcError.code}`
    this.log.push(`${methods.filter((m) => test(rule, m)).join(',')} → ${what} (${when})`)
    return {
      ...(rule.fault === undefined ? {} : { fault: rule.fault }),
      ...(rule.rewrite === undefined ? {} : { rewrite: rule.rewrite }),
      matches: (m) => test(rule, m),
    }
  }
}
