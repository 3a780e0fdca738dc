/**
 * The webhook helper of `coffer/watch`: signatures (checked against node:crypto's HMAC), the
 * retry rules against a real loopback HTTP server (2xx, permanent 4xx, 5xx, timeouts,
 * Retry-After), option checks at the boundary, and secret-free errors.
 */
import { createHmac } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DepositEvent } from 'coffer/watch'
import { CofferError, InvalidArgumentError, RpcError } from 'coffer'
import { signWebhook, verifyWebhook, webhookHandler } from '../../src/watch/webhook.js'

const SECRET = 'whsec-test-0123456789abcdef0123456789abcdef'
const T = 1_700_000_000

const event: DepositEvent = {
  id: '42',
  kind: 'confirmed',
  chainId: 'eip155:31337',
  asset: 'eip155:31337/erc20:0x0eee44ed942d8f2ac9ee8e1be42f1bd0dddac8f5',
  address: '0x0000000000000000000000000000000000000001',
  reference: 'customer-7',
  from: '0x00000000000000000000000000000000000f4240',
  amount: 12345678901234567890123n,
  hash: `0x${'ab'.repeat(32)}`,
  index: 3,
  blockHeight: 1234,
  blockHash: `0x${'cd'.repeat(32)}`,
}

/** What the server answers: a status (with headers), or nothing at all. */
type Reply = { status: number; headers?: Record<string, string> } | 'hang'

interface Received {
  readonly body: string
  readonly headers: IncomingHttpHeaders
  readonly at: number
}

/** A loopback server that answers from a script (then 200) and records every request. */
class Hook {
  readonly requests: Received[] = []
  script: Reply[] = []
  readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      this.requests.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers, at: Date.now() })
      const reply = this.script.shift() ?? { status: 200 }
      if (reply === 'hang') return
      res.writeHead(reply.status, reply.headers).end('answer body')
    })
  })
  url = ''

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/deposits?token=abc`
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

let hook: Hook
beforeEach(async () => {
  hook = new Hook()
  await hook.start()
})
afterEach(async () => {
  await hook.close()
})

const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

describe('signWebhook / verifyWebhook', () => {
  const body = JSON.stringify({ id: '1', note: 'déjà vu ✓ 𝔘' })

  it('matches an independent HMAC-SHA256 (node:crypto) over "<t>.<body>" as UTF-8', () => {
    const hex = createHmac('sha256', SECRET).update(`${T}.${body}`, 'utf8').digest('hex')
    expect(signWebhook(body, SECRET, T)).toBe(`t=${T},v1=${hex}`)
    const key = new Uint8Array(32).map((_, i) => i * 7)
    const hex2 = createHmac('sha256', key).update(`${T}.${body}`, 'utf8').digest('hex')
    expect(signWebhook(body, key, T)).toBe(`t=${T},v1=${hex2}`)
  })

  it('verifies its own signature within the tolerance', () => {
    const header = signWebhook(body, SECRET, T)
    expect(verifyWebhook(body, header, SECRET, { now: T })).toBe(true)
    expect(verifyWebhook(body, header, SECRET, { now: T + 300 })).toBe(true)
    expect(verifyWebhook(body, header, SECRET, { now: T - 300 })).toBe(true)
    expect(verifyWebhook(body, header, new TextEncoder().encode(SECRET), { now: T })).toBe(true)
  })

  it('refuses a wrong secret, a tampered body, a stale or future timestamp', () => {
    const header = signWebhook(body, SECRET, T)
    expect(verifyWebhook(body, header, `${SECRET}x`, { now: T })).toBe(false)
    expect(verifyWebhook(body.replace('1', '2'), header, SECRET, { now: T })).toBe(false)
    expect(verifyWebhook(body, header, SECRET, { now: T + 301 })).toBe(false)
    expect(verifyWebhook(body, header, SECRET, { now: T - 301 })).toBe(false)
    expect(verifyWebhook(body, header, SECRET, { now: T + 10, toleranceSeconds: 5 })).toBe(false)
    // A signature moved to another timestamp does not verify.
    expect(verifyWebhook(body, header.replace(`t=${T}`, `t=${T + 1}`), SECRET, { now: T })).toBe(false)
  })

  it('returns false (never throws) for malformed headers', () => {
    const v1 = signWebhook(body, SECRET, T).split(',')[1]!
    for (const header of [
      '',
      'garbage',
      `t=${T}`,
      v1,
      `t=abc,${v1}`,
      `t=${T},v1=zz`,
      `t=${T},v1=${'0'.repeat(63)}`,
      `t=${T},t=${T},${v1}`,
      `t=${T},${v1},=x`,
      `t=-${T},${v1}`,
      `t=${T},${v1}${','.repeat(3000)}`,
    ]) {
      expect(verifyWebhook(body, header, SECRET, { now: T }), header.slice(0, 40)).toBe(false)
    }
    expect(verifyWebhook(body, undefined as unknown as string, SECRET, { now: T })).toBe(false)
  })

  it('accepts any one of several v1 entries (key rotation) and ignores unknown entries', () => {
    const good = signWebhook(body, SECRET, T).split(',')[1]!
    expect(verifyWebhook(body, `t=${T},v1=${'0'.repeat(64)},${good},v9=whatever`, SECRET, { now: T })).toBe(true)
    expect(verifyWebhook(body, ` t=${T} , ${good.toUpperCase().replace('V1', 'v1')}`, SECRET, { now: T })).toBe(true)
  })

  it('refuses a short secret and bad arguments with InvalidArgumentError that never shows the secret', () => {
    const short = 'short-secret-31-bytes-long-abcd'
    expect(new TextEncoder().encode(short).length).toBe(31)
    for (const call of [() => signWebhook(body, short, T), () => verifyWebhook(body, 't=1,v1=00', short)]) {
      let thrown: unknown
      try {
        call()
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(InvalidArgumentError)
      expect((thrown as Error).message).not.toContain(short)
      expect((thrown as Error).message).toContain('32 bytes')
    }
    expect(() => signWebhook(body, SECRET, 1.5)).toThrow(InvalidArgumentError)
    expect(() => signWebhook(body, 42 as unknown as string, T)).toThrow(InvalidArgumentError)
    expect(() => verifyWebhook(body, 't=1', SECRET, { toleranceSeconds: -1 })).toThrow(InvalidArgumentError)
  })

  it('property: a signature verifies for any body, and not after any one character changes', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
        fc.nat(),
        fc.uint8Array({ minLength: 32, maxLength: 64 }),
        fc.integer({ min: 0, max: 4_000_000_000 }),
        (body, replacement, position, secret, t) => {
          const header = signWebhook(body, secret, t)
          expect(verifyWebhook(body, header, secret, { now: t })).toBe(true)
          const chars = Array.from(body)
          const char = Array.from(replacement)[0]!
          if (chars.length === 0) {
            expect(verifyWebhook(char, header, secret, { now: t })).toBe(false)
            return
          }
          const i = position % chars.length
          fc.pre(chars[i] !== char)
          chars[i] = char
          expect(verifyWebhook(chars.join(''), header, secret, { now: t })).toBe(false)
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('webhookHandler', () => {
  it('POSTs the event as signed JSON, amount as an exact decimal string', async () => {
    const before = Math.floor(Date.now() / 1000)
    await webhookHandler({ url: hook.url, secret: SECRET, headers: { 'x-api-key': 'k1' } })(event)
    expect(hook.requests).toHaveLength(1)
    const [req] = hook.requests
    expect(req!.headers['content-type']).toBe('application/json')
    expect(req!.headers['coffer-event-id']).toBe('42')
    expect(req!.headers['x-api-key']).toBe('k1')
    expect(req!.body).toContain('"amount":"12345678901234567890123"')
    expect(JSON.parse(req!.body)).toEqual({ ...event, amount: '12345678901234567890123' })
    const signature = req!.headers['coffer-signature'] as string
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/)
    expect(Number(/^t=(\d+)/.exec(signature)![1])).toBeGreaterThanOrEqual(before)
    expect(verifyWebhook(req!.body, signature, SECRET)).toBe(true)
    expect(verifyWebhook(req!.body, signature, `${SECRET}!`)).toBe(false)
  })

  it('503 then 200: resolves after two attempts with the same body and event id', async () => {
    hook.script = [{ status: 503 }]
    await webhookHandler({ url: hook.url, secret: SECRET, backoffMs: 5 })(event)
    expect(hook.requests).toHaveLength(2)
    expect(hook.requests[1]!.body).toBe(hook.requests[0]!.body)
    expect(hook.requests.map((r) => r.headers['coffer-event-id'])).toEqual(['42', '42'])
    for (const r of hook.requests) expect(verifyWebhook(r.body, r.headers['coffer-signature'] as string, SECRET)).toBe(true)
  })

  it('408 and 429 are retried too', async () => {
    hook.script = [{ status: 408 }, { status: 429 }]
    await webhookHandler({ url: hook.url, secret: SECRET, backoffMs: 1 })(event)
    expect(hook.requests).toHaveLength(3)
  })

  it('400: throws a permanent RpcError at once, after one request, naming no secret, body or path', async () => {
    hook.script = [{ status: 400 }]
    const error = await rejection(webhookHandler({ url: hook.url, secret: SECRET, backoffMs: 1 })(event))
    expect(hook.requests).toHaveLength(1)
    expect(error).toBeInstanceOf(RpcError)
    expect(error).toBeInstanceOf(CofferError)
    const e = error as RpcError
    expect(e.code).toBe('RPC')
    expect(e.details).toMatchObject({ status: 400, attempts: 1, retryable: false, eventId: '42' })
    for (const text of [e.message, JSON.stringify(e.details), String(e)]) {
      expect(text).not.toContain(SECRET)
      expect(text).not.toContain(hook.requests[0]!.body)
      expect(text).not.toContain('12345678901234567890123')
      expect(text).not.toContain('token=abc')
      expect(text).not.toContain('/hooks/deposits')
    }
  })

  it('a redirect is not followed: permanent, one request', async () => {
    hook.script = [{ status: 307, headers: { location: 'https://elsewhere.example/' } }]
    const error = await rejection(webhookHandler({ url: hook.url, secret: SECRET, backoffMs: 1 })(event))
    expect(hook.requests).toHaveLength(1)
    expect((error as RpcError).details).toMatchObject({ status: 307, retryable: false })
  })

  it('always 500: throws after 1 + retries requests, each backing off', async () => {
    hook.script = Array.from({ length: 10 }, () => ({ status: 500 }))
    const error = await rejection(webhookHandler({ url: hook.url, secret: SECRET, retries: 2, backoffMs: 40 })(event))
    expect(hook.requests).toHaveLength(3)
    expect(error).toBeInstanceOf(RpcError)
    expect((error as RpcError).details).toMatchObject({ status: 500, attempts: 3, retryable: true })
    expect((error as Error).message).not.toContain(SECRET)
    const [a, b, c] = hook.requests.map((r) => r.at)
    expect(b! - a!).toBeGreaterThanOrEqual(35)
    expect(c! - b!).toBeGreaterThanOrEqual(75) // doubled
  })

  it('no answer: each attempt times out, then it throws', async () => {
    hook.script = ['hang', 'hang', 'hang']
    const started = Date.now()
    const error = await rejection(webhookHandler({ url: hook.url, secret: SECRET, retries: 1, timeoutMs: 150, backoffMs: 1 })(event))
    expect(hook.requests).toHaveLength(2)
    expect(Date.now() - started).toBeGreaterThanOrEqual(280)
    expect(error).toBeInstanceOf(RpcError)
    expect((error as Error).message).toContain('no answer within 150 ms')
    expect((error as RpcError).details).toMatchObject({ attempts: 2, retryable: true, timeoutMs: 150 })
  })

  it('honours Retry-After seconds over the back-off', async () => {
    hook.script = [{ status: 429, headers: { 'retry-after': '1' } }]
    await webhookHandler({ url: hook.url, secret: SECRET, backoffMs: 1 })(event)
    expect(hook.requests).toHaveLength(2)
    expect(hook.requests[1]!.at - hook.requests[0]!.at).toBeGreaterThanOrEqual(950)
  })

  it('a network error is retried, then thrown with its cause', async () => {
    const dead = new Hook()
    await dead.start()
    const url = dead.url
    await dead.close()
    const error = await rejection(webhookHandler({ url, secret: SECRET, retries: 1, backoffMs: 1 })(event))
    expect(error).toBeInstanceOf(RpcError)
    expect((error as Error).message).toContain('network error')
    expect((error as RpcError).details).toMatchObject({ attempts: 2, retryable: true })
    expect((error as Error).cause).toBeDefined()
  })

  it('uses the given fetch', async () => {
    const calls: string[] = []
    const fetch = (async (input: string | URL | Request) => {
      calls.push(String(input))
      return new Response(null, { status: 204 })
    }) as typeof globalThis.fetch
    await webhookHandler({ url: 'https://hooks.example/in', secret: SECRET, fetch })(event)
    expect(calls).toEqual(['https://hooks.example/in'])
  })

  it('checks its options at the boundary, without showing the secret', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ url: 'http://hooks.example/in' }, /https/],
      [{ url: 'http://10.0.0.1/in' }, /https/],
      [{ url: 'ftp://hooks.example/in' }, /https/],
      [{ url: 'not a url' }, /valid/],
      [{ url: 'https://user:pw@hooks.example/in' }, /credentials/],
      [{ secret: 'x'.repeat(31) }, /32 bytes/],
      [{ secret: new Uint8Array(16) }, /32 bytes/],
      [{ secret: undefined }, /secret/],
      [{ retries: -1 }, /retries/],
      [{ retries: 1.5 }, /retries/],
      [{ timeoutMs: 0 }, /timeoutMs/],
      [{ backoffMs: 'x' }, /backoffMs/],
      [{ headers: { 'Coffer-Signature': 'x' } }, /coffer-signature/],
      [{ headers: { 'content-type': 'text/plain' } }, /content-type/],
      [{ headers: { 'x-key': 'bad\nvalue' } }, /x-key/],
      [{ fetch: 'nope' }, /fetch/],
    ]
    for (const [patch, message] of bad) {
      const options = { url: 'https://hooks.example/in', secret: SECRET, ...patch } as never
      let thrown: unknown
      try {
        webhookHandler(options)
      } catch (error) {
        thrown = error
      }
      expect(thrown, JSON.stringify(patch)).toBeInstanceOf(InvalidArgumentError)
      expect((thrown as Error).message).toMatch(message)
      expect((thrown as Error).message).not.toContain(SECRET)
      expect((thrown as Error).message).not.toContain('x'.repeat(31))
      expect((thrown as Error).message).not.toContain('bad\nvalue')
    }
    for (const url of ['http://localhost:1/in', 'http://[::1]:1/in', 'http://127.0.0.1:1/in', 'https://hooks.example/in']) {
      expect(() => webhookHandler({ url, secret: SECRET })).not.toThrow()
    }
    expect(() => webhookHandler(null as never)).toThrow(InvalidArgumentError)
  })
})
