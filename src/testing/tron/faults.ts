/**
 * The local Tron server's fault layer, for failure tests: a rule matches requests by path (and
 * method); 'before' answers in place of the server (nothing is processed), 'after' lets the
 * server handle the request (a broadcast lands, state changes stick) and then replaces its
 * answer with an HTTP status and body, or 'hang' (never answer: the client times out).
 *
 * Not part of coffer/testing's public API; coffer's own tests reach it through
 * test/support/tron-server.ts.
 * @module
 * @internal
 */
import type { ServerResponse } from 'node:http'
import type { TronFault, TronFaultRule } from './types.js'
import { FaultRules } from '../fault-rules.js'

export class FaultLayer {
  readonly #rules = new FaultRules<TronFaultRule>()
  /** Requests answered with a fault ("METHOD /path → fault (when)"), in order. */
  readonly log: string[] = []

  add(rule: TronFaultRule): () => void {
    const fault = rule.fault as unknown
    const ok =
      fault === 'hang' ||
      (typeof fault === 'object' &&
        fault !== null &&
        Number.isInteger((fault as { status?: unknown }).status) &&
        (fault as { status: number }).status >= 100 &&
        (fault as { status: number }).status <= 599)
    if (!ok) throw new Error("tron-server: a fault is 'hang' or { status: 100…599, body? }")
    if (rule.when !== undefined && rule.when !== 'before' && rule.when !== 'after')
      throw new Error("tron-server: when is 'before' or 'after'")
    return this.#rules.add(rule)
  }

  clear(): void {
    this.#rules.clear()
  }

  /** The first rule matching this request at this stage, counted as used. */
  match(method: string, path: string, when: 'before' | 'after'): TronFault | undefined {
    const rule = this.#rules.take(
      (r) =>
        (r.when ?? 'before') === when &&
        (r.method === undefined || r.method.toUpperCase() === method) &&
        (r.path === undefined || (typeof r.path === 'string' ? r.path === path : r.path.test(path))),
    )
    if (!rule) return undefined
    this.log.push(`${method} ${path} → ${typeof rule.fault === 'string' ? rule.fault : rule.fault.status} (${when})`)
    return rule.fault
  }
}

/** Answers (or does not) as the fault says. */
export function applyFault(fault: TronFault, res: ServerResponse): void {
  if (fault === 'hang') return // never answered; stop() closes the connection
  res.writeHead(fault.status, { 'content-type': 'text/plain' })
  res.end(fault.body ?? '')
}
