/**
 * What the runtime offers natively, found without static imports of `node:*` modules, so
 * browser bundles of coffer stay free of Node built-ins. Node ≥ 20.16, Bun and Deno expose
 * `process.getBuiltinModule`; browsers and workers offer WebCrypto.
 * @module
 * @internal
 */

/** The slice of `node:crypto` coffer uses (typed here so published types need no @types/node). */
export interface NodeCrypto {
  pbkdf2Sync(password: Uint8Array, salt: Uint8Array, iterations: number, keylen: number, digest: string): Uint8Array
  pbkdf2(
    password: Uint8Array,
    salt: Uint8Array,
    iterations: number,
    keylen: number,
    digest: string,
    done: (err: Error | null, key: Uint8Array) => void,
  ): void
  scrypt(
    password: Uint8Array,
    salt: Uint8Array,
    keylen: number,
    options: { N: number; r: number; p: number; maxmem: number },
    done: (err: Error | null, key: Uint8Array) => void,
  ): void
  createCipheriv(algorithm: string, key: Uint8Array, iv: Uint8Array, options?: { authTagLength: number }): NodeCipher
  createDecipheriv(algorithm: string, key: Uint8Array, iv: Uint8Array, options?: { authTagLength: number }): NodeDecipher
}
/** A node:crypto Cipher, as far as coffer uses it. */
interface NodeCipher {
  setAAD(aad: Uint8Array): unknown
  update(data: Uint8Array): Uint8Array
  final(): Uint8Array
  getAuthTag(): Uint8Array
}
/** A node:crypto Decipher, as far as coffer uses it. */
interface NodeDecipher {
  setAAD(aad: Uint8Array): unknown
  setAuthTag(tag: Uint8Array): unknown
  update(data: Uint8Array): Uint8Array
  final(): Uint8Array
}

/** Loads a Node built-in module if the runtime has one, else undefined. */
export function builtin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  if (typeof proc?.getBuiltinModule !== 'function') return undefined
  try {
    return proc.getBuiltinModule(id) as T | undefined
  } catch {
    return undefined
  }
}

/** node:crypto when the runtime has it. */
export function nodeCrypto(): NodeCrypto | undefined {
  const mod = builtin<NodeCrypto>('node:crypto')
  return mod && typeof mod.pbkdf2 === 'function' ? mod : undefined
}

/** The slice of WebCrypto's SubtleCrypto coffer uses. */
export interface Subtle {
  importKey(format: 'raw', key: Uint8Array, algorithm: string | { name: string }, extractable: false, usages: string[]): Promise<unknown>
  deriveBits(
    algorithm: { name: 'PBKDF2'; hash: string; salt: Uint8Array; iterations: number },
    key: unknown,
    length: number,
  ): Promise<ArrayBuffer>
  encrypt(algorithm: Record<string, unknown>, key: unknown, data: Uint8Array): Promise<ArrayBuffer>
  decrypt(algorithm: Record<string, unknown>, key: unknown, data: Uint8Array): Promise<ArrayBuffer>
}

/** WebCrypto's SubtleCrypto when the runtime has it. */
export function subtleCrypto(): Subtle | undefined {
  const c = (globalThis as unknown as { crypto?: { subtle?: Subtle } }).crypto
  return c?.subtle && typeof c.subtle.deriveBits === 'function' ? c.subtle : undefined
}

/** The slice of the DOM's `Worker` coffer uses. */
export interface WebWorker {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void
  terminate(): void
  addEventListener(type: 'message' | 'messageerror' | 'error', listener: (event: { data?: unknown; preventDefault?(): void }) => void): void
}

/** What starting a Web Worker from a string of code needs: `Worker`, `Blob` and `blob:` URLs. */
export interface WebWorkers {
  Worker: new (url: string) => WebWorker
  Blob: new (parts: string[], options: { type: string }) => unknown
  URL: { createObjectURL(blob: never): string; revokeObjectURL(url: string): void }
}

/**
 * `Worker`, `Blob` and `URL.createObjectURL` when the runtime is browser-like (a page, a worker, an
 * extension page), else undefined. Not in Node, Bun or Deno (they set `process.versions.node` and
 * have native scrypt): their `Worker` is not the one this module's callers mean.
 */
export function webWorkers(): WebWorkers | undefined {
  const g = globalThis as unknown as Partial<WebWorkers> & { process?: { versions?: { node?: unknown } } }
  if (typeof g.process?.versions?.node === 'string') return undefined
  if (typeof g.Worker !== 'function' || typeof g.Blob !== 'function') return undefined
  if (typeof g.URL?.createObjectURL !== 'function' || typeof g.URL.revokeObjectURL !== 'function') return undefined
  return { Worker: g.Worker, Blob: g.Blob, URL: g.URL }
}
