/**
 * The rule list behind the local servers' fault layers (Bitcoin, Solana, Tron): rules added and
 * removed by their remover, each applying to at most `times` matching requests, the first match
 * winning. What a rule matches (a path, a JSON-RPC method) and what it does is each server's own.
 * @module
 * @internal
 */

/** What every fault rule has: the stage it applies at and how often. */
export interface CountedRule {
  /** How many matching requests it applies to; all when omitted. */
  readonly times?: number
}

/** Rules in the order they were added, each with its use count. */
export class FaultRules<R extends CountedRule> {
  readonly #rules: { readonly rule: R; used: number }[] = []

  /** Adds a rule; returns its remover. */
  add(rule: R): () => void {
    const entry = { rule, used: 0 }
    this.#rules.push(entry)
    return () => {
      const i = this.#rules.indexOf(entry)
      if (i >= 0) this.#rules.splice(i, 1)
    }
  }

  /** Removes every rule. */
  clear(): void {
    this.#rules.length = 0
  }

  /** The first rule `matches` accepts that has uses left, counted as used. */
  take(matches: (rule: R) => boolean): R | undefined {
    const entry = this.#rules.find((e) => (e.rule.times === undefined || e.used < e.rule.times) && matches(e.rule))
    if (!entry) return undefined
    entry.used++
    return entry.rule
  }
}
