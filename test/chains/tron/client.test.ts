// The TronGrid client: the API key only in its header and never in an error, retries of reads
// (lost connections, 429 with a capped Retry-After, 5xx, junk) across apiUrls, java-tron's
// `{ Error }` answers, broadcasts never retried (refusal with a code vs maybe sent without one),
// and abort signals.
import { describe, expect, it } from 'vitest'
import { InvalidArgumentError, RpcError } from '../../../src/core/errors.js'
import { tronClient } from '../../../src/chains/tron/client.js'

const KEY = 'secret-api-key-0123'

type Reply = { status?: number; body?: unknown; headers?: Record<string, string> } | 'reset'

/** A fetch that answers from `replies` in turn and records each request. */
function fakeFetch(replies: Reply[]) {
  const calls: { url: string; method: string; headers: Record<string, string>; body: string | undefined }[] = []
  const fetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({
      url: String(url),
      method: init?.method ?? 'GET',
      headers: init?.headers as Record<string, string>,
      body: init?.body as string | undefined,
    })
    const reply = replies.shift() ?? { body: {} }
    if (reply === 'reset') throw new TypeError(`fetch failed: socket hang up (${KEY})`)
    return new Response(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {}), {
      status: reply.status ?? 200,
      headers: reply.headers ?? {},
    })
  }
  return { fetch: fetch as typeof globalThis.fetch, calls }
}

describe('tronClient', () => {
  it('sends the API key only in TRON-PRO-API-KEY, and never shows it in an error', async () => {
    const { fetch, calls } = fakeFetch(['reset', { status: 400, body: `bad key ${KEY}` }])
    const client = tronClient(['https://a.example'], { apiKey: KEY, fetch, retryCount: 1 })
    const error = await client.post('/wallet/getnowblock', {}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RpcError)
    expect(JSON.stringify({ m: (error as Error).message, d: (error as RpcError).details })).not.toContain(KEY)
    expect(calls.map((c) => c.url)).toEqual(['https://a.example/wallet/getnowblock', 'https://a.example/wallet/getnowblock'])
    expect(calls.every((c) => c.headers['TRON-PRO-API-KEY'] === KEY && !c.url.includes(KEY) && !String(c.body).includes(KEY))).toBe(true)
    expect(() => tronClient(['https://a.example'], { apiKey: 'has space' })).toThrow(InvalidArgumentError)
    expect(() => tronClient(['https://a.example?apikey=x'])).toThrow(InvalidArgumentError)
  })

  it('retries reads on a lost connection, 429 (Retry-After capped), 5xx and junk, moving across apiUrls', async () => {
    const { fetch, calls } = fakeFetch([
      'reset',
      { status: 429, headers: { 'retry-after': '3600' } },
      { status: 503 },
      { body: 'not json' },
      { body: { blockID: 'x' } },
    ])
    const client = tronClient(['https://a.example', 'https://b.example/'], { fetch, retryCount: 4, maxRetryAfterMs: 10 })
    const started = Date.now()
    expect(await client.post('/wallet/getnowblock', {})).toEqual({ blockID: 'x' })
    expect(Date.now() - started).toBeLessThan(3_000)
    expect(calls.map((c) => new URL(c.url).host)).toEqual(['a.example', 'b.example', 'a.example', 'b.example', 'a.example'])
    expect(client.requests).toBe(5)
  })

  it("java-tron's { Error } answer is an RpcError with its text, not retried", async () => {
    const { fetch, calls } = fakeFetch([{ body: { Error: 'class java.lang.IllegalArgumentException : Invalid address' } }])
    const client = tronClient(['https://a.example'], { fetch })
    const error = (await client.post('/wallet/getaccount', { address: 'x' }).catch((e: unknown) => e)) as RpcError
    expect(error).toBeInstanceOf(RpcError)
    expect(error.details).toMatchObject({
      method: '/wallet/getaccount',
      reason: 'class java.lang.IllegalArgumentException : Invalid address',
    })
    expect(error.details.code).toBeUndefined()
    expect(calls).toHaveLength(1)
  })

  it('GET /v1 reads; paths are checked', async () => {
    const { fetch, calls } = fakeFetch([{ body: { data: [], success: true } }])
    const client = tronClient(['https://a.example'], { fetch })
    expect(await client.get('/v1/accounts/TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf?only_confirmed=true')).toEqual({ data: [], success: true })
    expect(calls[0]!.method).toBe('GET')
    await expect(client.get('/wallet/getnowblock')).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(client.post('https://evil.example/x', {})).rejects.toBeInstanceOf(InvalidArgumentError)
  })

  it('send: never retried; a refusal carries details.code (hex message decoded), a lost answer carries none', async () => {
    const refused = fakeFetch([{ body: { code: 'TAPOS_ERROR', txid: 'ab', message: Buffer.from('Tapos check error.').toString('hex') } }])
    const e1 = (await tronClient(['https://a.example'], { fetch: refused.fetch })
      .send('/wallet/broadcasthex', { transaction: '00' })
      .catch((e: unknown) => e)) as RpcError
    expect(e1.details).toMatchObject({ code: 'TAPOS_ERROR', reason: 'Tapos check error.' })

    for (const reply of ['reset', { status: 500 }, { status: 502 }, { body: 'junk' }] as Reply[]) {
      const lost = fakeFetch([reply, { body: { result: true } }])
      const e2 = (await tronClient(['https://a.example', 'https://b.example'], { fetch: lost.fetch, retryCount: 3 })
        .send('/wallet/broadcasthex', { transaction: '00' })
        .catch((e: unknown) => e)) as RpcError
      expect(e2).toBeInstanceOf(RpcError)
      expect(e2.details.code).toBeUndefined()
      expect(lost.calls).toHaveLength(1)
    }

    const javaError = fakeFetch([{ body: { Error: 'class java.lang.NullPointerException : bad hex' } }])
    const e3 = (await tronClient(['https://a.example'], { fetch: javaError.fetch })
      .send('/wallet/broadcasthex', { transaction: '00' })
      .catch((e: unknown) => e)) as RpcError
    expect(e3.details).toMatchObject({ code: 'Error' })

    const ok = fakeFetch([{ body: { result: true, code: 'SUCCESS', txid: 'cd' } }])
    expect(await tronClient(['https://a.example'], { fetch: ok.fetch }).send('/wallet/broadcasthex', {})).toMatchObject({ txid: 'cd' })
  })

  it('an abort ends a wait and a request with the signal’s reason', async () => {
    const { fetch } = fakeFetch([{ status: 503, headers: { 'retry-after': '5' } }])
    const client = tronClient(['https://a.example'], { fetch, retryCount: 2 })
    const controller = new AbortController()
    const reason = new Error('stop')
    setTimeout(() => controller.abort(reason), 20)
    await expect(client.post('/wallet/getnowblock', {}, { signal: controller.signal })).rejects.toBe(reason)
    await expect(client.send('/wallet/broadcasthex', {}, { signal: controller.signal })).rejects.toBe(reason)
  })
})
