/**
 * scrypt in a Web Worker (src/vault/scrypt-worker.ts), driven from Node with stand-in `Worker`s:
 * - ThreadWorker runs the generated worker code on a real thread (node:worker_threads), with real
 *   structured cloning and transfer;
 * - VmWorker runs it in a `node:vm` context on this thread, so the test can look at the worker's
 *   copies of the secrets afterwards;
 * - ScriptedWorker plays each way a worker can fail to start or answer.
 * The real-browser run is test/browser/scrypt.test.ts.
 */
import { execFile } from 'node:child_process'
import { createHash, scryptSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import vm from 'node:vm'
import { Worker as NodeWorker } from 'node:worker_threads'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { scrypt as nobleScrypt, scryptAsync } from '@noble/hashes/scrypt.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import type { WebWorker, WebWorkers } from '../../src/core/runtime.js'
import { scrypt, type ScryptParams } from '../../src/vault/crypto.js'
import { scryptInWorker } from '../../src/vault/scrypt-worker.js'
import { SCRYPT_WORKER_SOURCE } from '../../src/vault/scrypt-worker-source.js'

vi.mock('@noble/hashes/scrypt.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@noble/hashes/scrypt.js')>()
  return { ...actual, scryptAsync: vi.fn(actual.scryptAsync) }
})
const onThisThread = vi.mocked(scryptAsync)

const root = join(import.meta.dirname, '../..')
const FAST: ScryptParams = { N: 1024, r: 8, p: 1, dkLen: 32 }
const password = utf8ToBytes('correct horse battery staple')
const salt = utf8ToBytes('salt of the earth')
const expected = () => nobleScrypt(password, salt, FAST)

/** RFC 7914 §12 "Test Vectors for scrypt" (the fourth, N = 2^20, needs 1 GiB and is left out). */
const RFC7914 = [
  {
    P: '',
    S: '',
    params: { N: 16, r: 1, p: 1, dkLen: 64 },
    DK: '77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906',
  },
  {
    P: 'password',
    S: 'NaCl',
    params: { N: 1024, r: 8, p: 16, dkLen: 64 },
    DK: 'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640',
  },
  {
    P: 'pleaseletmein',
    S: 'SodiumChloride',
    params: { N: 16384, r: 8, p: 1, dkLen: 64 },
    DK: '7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887',
  },
] as const

/** `blob:` URLs of a fake `URL.createObjectURL`, readable synchronously (a real Blob's text is async). */
class FakeBlob {
  constructor(
    readonly parts: string[],
    readonly options: { type: string },
  ) {}
}
const blobs = new Map<string, FakeBlob>()
const revoked: string[] = []
let blobCount = 0
const fakeURL: WebWorkers['URL'] = {
  createObjectURL: (blob: never) => {
    const url = `blob:test/${++blobCount}`
    blobs.set(url, blob as FakeBlob)
    return url
  },
  revokeObjectURL: (url: string) => void revoked.push(url),
}
const codeAt = (url: string) => {
  const blob = blobs.get(url)
  if (!blob) throw new Error(`no blob at ${url}`)
  expect(blob.options.type).toBe('text/javascript')
  return blob.parts.join('')
}

/** A minimal EventTarget-based `Worker` with the bookkeeping the tests read. */
abstract class TestWorker extends EventTarget implements WebWorker {
  static made: TestWorker[] = []
  posted: { message: Record<string, unknown>; transfer: ArrayBuffer[] }[] = []
  terminated = false
  constructor(readonly url: string) {
    super()
    TestWorker.made.push(this)
  }
  emit(type: string, data?: unknown) {
    if (!this.terminated) this.dispatchEvent(Object.assign(new Event(type, { cancelable: true }), { data }))
  }
  postMessage(message: unknown, transfer: ArrayBuffer[]) {
    this.posted.push({ message: message as Record<string, unknown>, transfer })
    this.deliver(message, transfer)
  }
  abstract deliver(message: unknown, transfer: ArrayBuffer[]): void
  terminate() {
    this.terminated = true
  }
}

/** The generated code on a real thread: `self.onmessage`/`self.postMessage` mapped onto worker_threads' parentPort. */
class ThreadWorker extends TestWorker {
  readonly thread: NodeWorker
  constructor(url: string) {
    super(url)
    const prelude = `const { parentPort } = require('node:worker_threads');
      globalThis.self = globalThis;
      Object.defineProperty(self, 'onmessage', { set(fn) { parentPort.removeAllListeners('message'); if (fn) parentPort.on('message', (data) => fn({ data })) } });
      self.postMessage = (message, transfer) => parentPort.postMessage(message, transfer);\n`
    this.thread = new NodeWorker(prelude + codeAt(url), { eval: true })
    this.thread.on('message', (data) => this.emit('message', data))
    this.thread.on('error', () => this.emit('error'))
  }
  deliver(message: unknown, transfer: ArrayBuffer[]) {
    this.thread.postMessage(message, transfer)
  }
  override terminate() {
    super.terminate()
    void this.thread.terminate()
  }
}

/** The generated code in a `node:vm` context; `received` is the worker's own copy of each job (after "transfer"). */
class VmWorker extends TestWorker {
  readonly context: vm.Context
  received: Record<string, unknown>[] = []
  constructor(url: string) {
    super(url)
    this.context = vm.createContext({})
    vm.runInContext('globalThis.self = globalThis', this.context)
    this.context.postMessage = (message: unknown, transfer?: ArrayBuffer[]) => {
      const copy = structuredClone(message, { transfer: transfer ?? [] })
      setTimeout(() => this.emit('message', copy))
    }
    vm.runInContext(codeAt(url), this.context)
  }
  deliver(message: unknown, transfer: ArrayBuffer[]) {
    const copy = structuredClone(message, { transfer }) as Record<string, unknown>
    this.received.push(copy)
    setTimeout(() => (this.context.onmessage as (e: { data: unknown }) => void)({ data: copy }))
  }
}

/** A worker that does what a test tells it to (`script` runs on each postMessage). */
function scripted(script: (w: TestWorker) => void, { throwOnConstruct = false } = {}) {
  return class ScriptedWorker extends TestWorker {
    constructor(url: string) {
      if (throwOnConstruct) throw new DOMException('Refused to create a worker from blob: (worker-src)', 'SecurityError')
      super(url)
    }
    deliver() {
      script(this)
    }
  }
}

const env = (Worker: new (url: string) => WebWorker): WebWorkers => ({ Worker, Blob: FakeBlob, URL: fakeURL })

beforeEach(() => {
  TestWorker.made = []
  revoked.length = 0
  blobs.clear()
  onThisThread.mockClear()
})
afterEach(() => {
  for (const w of TestWorker.made) w.terminate()
  vi.unstubAllGlobals()
})

describe('the generated worker code', () => {
  it('is up to date: `npm run scrypt-worker -- --check` rebuilds it and finds no difference', async () => {
    await promisify(execFile)(process.execPath, [join(root, 'scripts/scrypt-worker.mjs'), '--check'], { cwd: root })
  }, 60_000)

  it("carries the SHA-256 of its code in its header, and @noble/hashes' installed version", () => {
    const text = readFileSync(join(root, 'src/vault/scrypt-worker-source.ts'), 'utf8')
    expect(text).toContain(`SHA-256 of the code string: ${createHash('sha256').update(SCRYPT_WORKER_SOURCE).digest('hex')}`)
    const noble = JSON.parse(readFileSync(join(root, 'node_modules/@noble/hashes/package.json'), 'utf8')) as { version: string }
    expect(text).toContain(`@noble/hashes ${noble.version} `)
    expect(text).toMatch(/^\/\/ Generated by scripts\/scrypt-worker\.mjs .*Do not edit\./)
  })
})

describe('scryptInWorker, on a real thread', () => {
  it('derives the RFC 7914 §12 test vectors, as @noble/hashes and node:crypto do, without the calling thread computing', async () => {
    for (const { P, S, params, DK } of RFC7914) {
      const [pw, s] = [utf8ToBytes(P), utf8ToBytes(S)]
      const key = await scryptInWorker(pw, s, params, { env: env(ThreadWorker) })
      expect(bytesToHex(key)).toBe(DK)
      expect(key).toEqual(nobleScrypt(pw, s, params))
      expect(key).toEqual(new Uint8Array(scryptSync(pw, s, params.dkLen, { ...params, maxmem: 64 * 1024 * 1024 })))
    }
    expect(onThisThread).not.toHaveBeenCalled()
    expect(TestWorker.made).toHaveLength(RFC7914.length)
  })

  it('moves fresh copies of the password and salt (never the caller’s arrays), terminates the worker and revokes its URL', async () => {
    const pw = password.slice()
    const key = await scryptInWorker(pw, salt, FAST, { env: env(ThreadWorker) })
    expect(key).toEqual(expected())
    expect(pw).toEqual(password) // the caller's array: intact, not detached
    const [worker] = TestWorker.made as [ThreadWorker]
    expect(worker.terminated).toBe(true)
    expect(revoked).toEqual([worker.url])
    const [{ message, transfer }] = worker.posted as [(typeof worker.posted)[0]]
    expect(Object.keys(message).sort()).toEqual(['N', 'dkLen', 'maxmem', 'p', 'password', 'r', 'salt'])
    expect(transfer).toEqual([message.password, message.salt])
    for (const buffer of transfer) {
      expect(buffer).not.toBe(pw.buffer)
      expect(buffer.byteLength).toBe(0) // transferred: no copy left on this thread
    }
  })

  it('copies a Node Buffer too, whose slice() would share its memory (and its 8 KiB pool)', async () => {
    const pw = Buffer.from(password)
    await expect(scryptInWorker(pw, salt, FAST, { env: env(ThreadWorker) })).resolves.toEqual(expected())
    expect(new Uint8Array(pw)).toEqual(password)
    expect(pw.buffer.byteLength).toBeGreaterThan(0)
  })
})

describe('the worker', () => {
  it('zeroes its copies of the password and salt, and hands over its key (transferred, not copied)', async () => {
    const key = await scryptInWorker(password, salt, FAST, { env: env(VmWorker) })
    expect(key).toEqual(expected())
    const [worker] = TestWorker.made as [VmWorker]
    const [job] = worker.received as [{ password: ArrayBuffer; salt: ArrayBuffer }]
    expect(new Uint8Array(job.password)).toEqual(new Uint8Array(password.length))
    expect(new Uint8Array(job.salt)).toEqual(new Uint8Array(salt.length))
    expect(worker.terminated).toBe(true)
    expect(vm.runInContext('typeof self.onmessage', worker.context)).not.toBe('function') // one job per worker
  })

  it('answers with an error message (and no key) when scrypt refuses the parameters; the caller then falls back once', async () => {
    const bad = { N: 1000, r: 8, p: 1, dkLen: 32 } // N not a power of two
    const noble = await nobleScryptError(bad)
    await expect(scryptInWorker(password, salt, bad, { env: env(VmWorker) })).rejects.toThrow(noble)
    expect(onThisThread).toHaveBeenCalledTimes(1)
  })
})

async function nobleScryptError(params: ScryptParams): Promise<string> {
  try {
    nobleScrypt(password, salt, params)
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('expected @noble/hashes to refuse these parameters')
}

describe('falling back to the calling thread, exactly once', () => {
  const fallsBack = async (Worker: new (url: string) => WebWorker, options: { startTimeoutMs?: number } = {}) => {
    const key = await scryptInWorker(password, salt, FAST, { env: env(Worker), ...options })
    expect(key).toEqual(expected())
    expect(onThisThread).toHaveBeenCalledTimes(1)
    expect(onThisThread.mock.calls[0]?.[0]).toBe(password)
    for (const w of TestWorker.made) expect(w.terminated).toBe(true)
    expect(revoked).toEqual([...blobs.keys()])
    // the worker's copies were moved or zeroed: nothing of the password stays on this thread
    for (const w of TestWorker.made)
      for (const buffer of w.posted.flatMap((p) => p.transfer))
        expect(buffer.byteLength === 0 || new Uint8Array(buffer).every((b) => b === 0)).toBe(true)
    return key
  }

  it('when the Worker constructor throws (a CSP that refuses blob: workers, in some browsers)', async () => {
    await fallsBack(scripted(() => {}, { throwOnConstruct: true }))
    expect(TestWorker.made).toHaveLength(0)
  })

  it('when the worker fires `error` during postMessage', async () => {
    await fallsBack(scripted((w) => w.emit('error')))
  })

  it('when the worker fires `error` later (a CSP refusal in Chromium, a script error)', async () => {
    await fallsBack(scripted((w) => setTimeout(() => w.emit('error'), 5)))
  })

  it('when postMessage throws (DataCloneError)', async () => {
    await fallsBack(
      scripted(() => {
        throw new DOMException('could not clone', 'DataCloneError')
      }),
    )
  })

  it('when the message cannot be read (`messageerror`) or the answer is not a key of the right length', async () => {
    await fallsBack(scripted((w) => setTimeout(() => w.emit('messageerror'))))
    onThisThread.mockClear()
    const short = new Uint8Array(31).fill(7)
    await fallsBack(scripted((w) => setTimeout(() => w.emit('message', { type: 'key', key: short.buffer }))))
    expect(short).toEqual(new Uint8Array(31)) // a rejected answer is zeroed
  })

  it('when the worker never starts: after the start timeout', async () => {
    await fallsBack(
      scripted(() => {}),
      { startTimeoutMs: 20 },
    )
  })

  it('and a late answer from a worker given up on is dropped and zeroed, never used', async () => {
    const late = new Uint8Array(32).fill(9)
    let worker: TestWorker | undefined
    await fallsBack(
      scripted((w) => {
        worker = w
        w.emit('message', { type: 'started' })
        setTimeout(() => w.emit('error'))
      }),
    )
    worker!.terminated = false // as if the answer was already queued when terminate() ran
    worker!.emit('message', { type: 'key', key: late.buffer })
    expect(late).toEqual(new Uint8Array(32))
    expect(onThisThread).toHaveBeenCalledTimes(1)
  })

  it('but a worker that answered is not second-guessed by a later error', async () => {
    const key = new Uint8Array(expected())
    const out = await scryptInWorker(password, salt, FAST, {
      env: env(
        scripted((w) => {
          w.emit('message', { type: 'started' })
          w.emit('message', { type: 'key', key: key.buffer })
          w.terminated = false
          w.emit('error')
        }),
      ),
    })
    expect(out).toEqual(expected())
    expect(onThisThread).not.toHaveBeenCalled()
  })

  it('without Worker, Blob or blob: URLs (or in Node) no worker is tried', async () => {
    await expect(scryptInWorker(password, salt, FAST, { env: undefined })).resolves.toEqual(expected())
    expect(onThisThread).toHaveBeenCalledTimes(1)
    expect(blobs.size).toBe(0)
  })
})

describe('wiring: crypto.scrypt', () => {
  const browserLike = (Worker?: unknown) => {
    vi.stubGlobal('process', { ...process, getBuiltinModule: undefined, versions: { ...process.versions, node: undefined } })
    vi.stubGlobal('Worker', Worker)
    vi.stubGlobal('Blob', FakeBlob)
    vi.stubGlobal('URL', Object.assign(Object.create(URL) as typeof URL, fakeURL))
  }

  it('uses a Web Worker where the runtime is browser-like and has one', async () => {
    browserLike(ThreadWorker)
    const key = await scrypt(password, salt, FAST)
    vi.unstubAllGlobals()
    expect(key).toEqual(expected())
    expect(TestWorker.made).toHaveLength(1)
    expect(onThisThread).not.toHaveBeenCalled()
  })

  it('uses @noble on the calling thread where there is no Worker', async () => {
    browserLike(undefined)
    const key = await scrypt(password, salt, FAST)
    vi.unstubAllGlobals()
    expect(key).toEqual(expected())
    expect(onThisThread).toHaveBeenCalledTimes(1)
  })

  it('stays native in Node, even with a Worker global (Node 22 has none; Deno and Bun do)', async () => {
    vi.stubGlobal('Worker', ThreadWorker)
    expect(await scrypt(password, salt, FAST)).toEqual(expected())
    expect(TestWorker.made).toHaveLength(0)
    expect(onThisThread).not.toHaveBeenCalled()
  })
})
