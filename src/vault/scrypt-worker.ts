/**
 * scrypt off the page's main thread: in a browser-like runtime, {@link scryptInWorker} runs
 * @noble/hashes' scrypt in a one-job Web Worker started from a `blob:` URL of
 * {@link SCRYPT_WORKER_SOURCE} (built into a string by scripts/scrypt-worker.mjs, so apps need
 * no bundler feature and no extra file to serve). Where no worker can be started — no `Worker`
 * (an extension's service worker), a CSP without `blob:` in `worker-src` (the constructor throws,
 * or the worker fires `error`), a worker that never answers — it falls back, once, to
 * {@link scryptOnThisThread}: @noble/hashes' `scryptAsync` on the calling thread.
 *
 * Secrets: the worker gets fresh copies of the password and salt, moved (transferred) into its
 * heap by `postMessage`; the caller's arrays are never transferred or modified. The worker zeroes
 * its copies and its key as soon as scrypt returns, and is terminated after its one answer (no
 * long-lived worker holds secrets). What JavaScript cannot reach: scrypt's intermediate state
 * inside @noble/hashes beyond what @noble itself wipes, and the worker's heap once terminated —
 * the browser frees that memory without zeroing it. The derived key comes back transferred (not
 * copied) as a fresh Uint8Array that the caller owns and zeroes, as with every scrypt backend.
 * @module
 * @internal
 */
import { scryptAsync } from '@noble/hashes/scrypt.js'
import { webWorkers, type WebWorker, type WebWorkers } from '../core/runtime.js'
import type { ScryptParams } from './crypto.js'
import { SCRYPT_WORKER_SOURCE } from './scrypt-worker-source.js'

/** How long a worker may take to receive its job before coffer gives up on it and falls back. */
const START_TIMEOUT_MS = 10_000

/** Test seams for {@link scryptInWorker}. */
export interface ScryptInWorkerOptions {
  /** The worker APIs (default: the runtime's, from {@link webWorkers}). */
  readonly env?: WebWorkers | undefined
  /** Milliseconds to wait for the worker's first message before falling back (default 10 s). */
  readonly startTimeoutMs?: number
}

/** Memory scrypt needs for these parameters, plus slack (@noble's `maxmem` check). */
const maxmem = ({ N, r, p }: ScryptParams) => 128 * N * r + 128 * r * p + 1024

/** scrypt with @noble/hashes' `scryptAsync` on the calling thread (yielding to microtasks every 10 ms). */
export function scryptOnThisThread(password: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  const { N, r, p, dkLen } = params
  return scryptAsync(password, salt, { N, r, p, dkLen, asyncTick: 10, maxmem: maxmem(params) })
}

const isArrayBuffer = (x: unknown): x is ArrayBuffer => Object.prototype.toString.call(x) === '[object ArrayBuffer]'
/** Zeroes a key the worker sent that will not be used (a detached or empty buffer has nothing to zero). */
const discard = (x: unknown) => {
  if (isArrayBuffer(x) && x.byteLength > 0) new Uint8Array(x).fill(0)
}

/**
 * scrypt in a one-job Web Worker when the runtime can start one, else (or if the worker fails in
 * any way) {@link scryptOnThisThread} — exactly once per call; a late answer from a worker given
 * up on is dropped (and zeroed). See the module note for what happens to the secrets.
 */
export function scryptInWorker(
  password: Uint8Array,
  salt: Uint8Array,
  params: ScryptParams,
  options: ScryptInWorkerOptions = {},
): Promise<Uint8Array> {
  const env = 'env' in options ? options.env : webWorkers()
  if (!env) return scryptOnThisThread(password, salt, params)
  const { N, r, p, dkLen } = params
  return new Promise<Uint8Array>((resolve, reject) => {
    let settled = false
    let worker: WebWorker | undefined
    let url: string | undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    const revoke = () => {
      if (url === undefined) return
      const u = url
      url = undefined
      try {
        env.URL.revokeObjectURL(u)
      } catch {
        // nothing to do: the URL only names public code
      }
    }
    const finish = () => {
      settled = true
      clearTimeout(timer)
      try {
        worker?.terminate()
      } catch {
        // already gone
      }
      revoke()
    }
    const fallBack = () => {
      if (settled) return
      finish()
      scryptOnThisThread(password, salt, params).then(resolve, reject)
    }
    try {
      url = env.URL.createObjectURL(new env.Blob([SCRYPT_WORKER_SOURCE], { type: 'text/javascript' }) as never)
      const w = new env.Worker(url)
      worker = w
      w.addEventListener('message', ({ data }) => {
        const message = (data ?? {}) as { type?: unknown; key?: unknown }
        if (settled) {
          discard(message.key)
        } else if (message.type === 'started') {
          clearTimeout(timer)
          revoke()
        } else if (message.type === 'key' && isArrayBuffer(message.key) && message.key.byteLength === dkLen) {
          finish()
          resolve(new Uint8Array(message.key))
        } else {
          discard(message.key)
          fallBack()
        }
      })
      w.addEventListener('messageerror', fallBack)
      w.addEventListener('error', (event) => {
        event.preventDefault?.() // handled here: no "uncaught error in worker" report in the console
        fallBack()
      })
      timer = setTimeout(fallBack, options.startTimeoutMs ?? START_TIMEOUT_MS)
      // Fresh copies (`new Uint8Array(x)` copies even a Node Buffer, whose `slice` would share memory),
      // moved into the worker: afterwards they are detached (length 0) here. Zeroed in case
      // postMessage threw before moving them (`fill` on a detached array throws, hence the check).
      const pw = new Uint8Array(password)
      const s = new Uint8Array(salt)
      try {
        w.postMessage({ password: pw.buffer, salt: s.buffer, N, r, p, dkLen, maxmem: maxmem(params) }, [pw.buffer, s.buffer])
      } finally {
        for (const copy of [pw, s]) if (copy.byteLength) copy.fill(0)
      }
    } catch {
      fallBack()
    }
  })
}
