/**
 * A small typed event emitter (works in Node and browsers alike). A listener that throws
 * does not stop the others; its error is handed to the `onListenerError` hook.
 * @module
 * @internal
 */

import { assertOneOf } from './assert.js'
import { InvalidArgumentError } from './errors.js'

type Listener<T> = (payload: T) => void

/** Typed `on` / `off` / `once` / `emit` over an event map. */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>()
  readonly #names: readonly (keyof Events & string)[]
  readonly #onListenerError: (error: unknown) => void

  constructor(names: readonly (keyof Events & string)[], onListenerError: (error: unknown) => void) {
    this.#names = names
    this.#onListenerError = onListenerError
  }

  /** Calls `listener` for every `event`; returns a function that removes it. @throws InvalidArgumentError */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    assertOneOf(event, 'event', this.#names)
    if (typeof listener !== 'function') throw new InvalidArgumentError('listener must be a function.')
    let set = this.#listeners.get(event)
    if (!set) this.#listeners.set(event, (set = new Set()))
    set.add(listener as Listener<never>)
    return () => this.off(event, listener)
  }

  /** Calls `listener` for the next `event` only. */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(event, (payload) => {
      off()
      listener(payload)
    })
    return off
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.#listeners.get(event)?.delete(listener as Listener<never>)
  }

  /** True if anyone listens to `event`. */
  has(event: keyof Events): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        ;(listener as Listener<Events[K]>)(payload)
      } catch (error) {
        this.#onListenerError(error)
      }
    }
  }
}
