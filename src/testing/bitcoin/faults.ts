/**
 * The Esplora-shaped server's fault layer, for failure tests: a rule matches requests by method
 * and path; 'before' answers in place of the server (nothing is processed), 'after' lets the
 * server process the request (a broadcast is accepted, state changes stick) and then replaces
 * its answer: a status and body of your choice, 'hang' (never answer: the client times out), or
 * 'reset' (destroy the connection). A rewrite edits any answer's body on the way out: a lying
 * server.
 *
 * Not part of coffer/testing's public API: its rules name the server's raw routes, and a
 * chain-neutral way to inject failures belongs to a mock adapter. coffer's own tests reach it
 * through test/support/esplora-server.ts.
 * @module
 * @internal
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Fault, FaultRule, Rewrite } from './types.js'
import { FaultRules } from '../fault-rules.js'

/** The fault rules and the rewrite of one server. */
export class FaultLayer {
  readonly #rules = new FaultRules<FaultRule>()
  /** Requests answered with a fault ("METHOD /path → fault"), in order. */
  readonly log: string[] = []
  rewrite: Rewrite | undefined

  /** Adds a rule; returns its remover. */
  add(rule: FaultRule): () => void {
    return this.#rules.add(rule)
  }

  /** Removes every rule and the rewrite. */
  clear(): void {
    this.#rules.clear()
    this.rewrite = undefined
  }

  /** The first rule matching this request at this stage, counted as used. */
  match(method: string, path: string, when: 'before' | 'after'): Fault | undefined {
    const rule = this.#rules.take(
      (r) =>
        (r.when ?? 'before') === when &&
        (r.method === undefined || r.method.toUpperCase() === method) &&
        (r.path === undefined || r.path.test(path)),
    )
    if (!rule) return undefined
    this.log.push(`${method} ${path} → ${typeof rule.fault === 'string' ? rule.fault : rule.fault.status}`)
    return rule.fault
  }
}

/** Answers (or does not) as the fault says. */
export function applyFault(fault: Fault, req: IncomingMessage, res: ServerResponse): void {
  if (fault === 'hang') return // never answered; stop() closes the connection
  if (fault === 'reset') {
    req.socket.destroy()
    return
  }
  res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers })
  res.end(fault.body ?? '')
}
