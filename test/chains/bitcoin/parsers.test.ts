/**
 * Property tests (fast-check) for what the Bitcoin adapter parses from servers: Retry-After
 * headers (never a wait above the cap), a broadcast's answer (only Bitcoin Core's explicit
 * refusal is a rejection; everything else unreadable is "unknown"; one request, never retried
 * by the client) and previous transactions (accepted only when they hash to the txid and pay
 * the expected output — checked against bitcoinjs-lib).
 */
import { Transaction, address as baddress } from 'bitcoinjs-lib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DataIntegrityError, esplora, RpcError, TransactionRejectedError } from 'coffer/bitcoin'
import { retryAfterMs } from '../../../src/chains/retry.js'
import { verifyPreviousTx } from '../../../src/chains/bitcoin/previous-tx.js'
import { NETWORKS } from '../../support/esplora-server.js'

describe('Retry-After', () => {
  it('any header gives no wait or a wait from 0 to the cap', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ maxLength: 40 }), { nil: null }), fc.integer({ min: 0, max: 3_600_000 }), (header, cap) => {
        const ms = retryAfterMs(header, cap)
        expect(ms === undefined || (Number.isFinite(ms) && ms >= 0 && ms <= cap)).toBe(true)
      }),
    )
  })

  it('seconds and HTTP dates are read, then capped', () => {
    const now = Date.UTC(2026, 0, 1)
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 100_000 }), (seconds, cap) => {
        expect(retryAfterMs(String(seconds), cap, now)).toBe(Math.min(seconds * 1000, cap))
        expect(retryAfterMs(new Date(now + seconds * 1000).toUTCString(), cap, now)).toBe(Math.min(seconds * 1000, cap))
      }),
    )
    expect(retryAfterMs('3600', 30_000)).toBe(30_000)
    expect(retryAfterMs(new Date(Date.now() - 60_000).toUTCString(), 30_000)).toBe(0)
    expect(retryAfterMs('soon', 30_000)).toBeUndefined()
    expect(retryAfterMs('-5', 30_000)).toBeUndefined()
  })
})

describe("a broadcast's answer", () => {
  const TXID = 'ab'.repeat(32)
  /** An Esplora client whose every POST /tx gets this answer, counting requests. */
  const answering = (status: number, body: string) => {
    let requests = 0
    const client = esplora('http://esplora.test', {
      fetch: async () => {
        requests++
        return new Response(body, { status })
      },
    })
    return { client, requests: () => requests }
  }

  it('is a txid, a TransactionRejectedError (400 + Core refusal only) or an RpcError, after exactly one request', async () => {
    const refusal = fc
      .record({ code: fc.integer({ min: -30, max: -1 }), message: fc.string({ minLength: 1, maxLength: 60 }) })
      .map((r) => `sendrawtransaction RPC error: ${JSON.stringify(r)}`)
    const body = fc.oneof(
      fc.string({ maxLength: 80 }),
      refusal,
      fc.constant(TXID),
      fc.constant(TXID.toUpperCase()),
      fc.constant(`${TXID}\n`),
    )
    // (204, 205 and 304 cannot carry a body.)
    const status = fc.oneof(
      fc.constantFrom(200, 400, 404, 429, 500, 502, 503),
      fc.integer({ min: 200, max: 599 }).filter((c) => ![204, 205, 304].includes(c)),
    )
    await fc.assert(
      fc.asyncProperty(status, body, async (code, text) => {
        const { client, requests } = answering(code, text)
        const outcome = await client.broadcast('00').then(
          (txid) => ({ txid }),
          (error: unknown) => ({ error }),
        )
        expect(requests()).toBe(1)
        const okTxid = code >= 200 && code < 300 && /^[0-9a-f]{64}$/i.test(text.trim())
        const isRefusal = code === 400 && /^sendrawtransaction RPC error: \{.*"message":".+\}$/s.test(text.trim())
        if (okTxid) expect(outcome).toEqual({ txid: text.trim().toLowerCase() })
        else if (isRefusal) expect((outcome as { error: unknown }).error).toBeInstanceOf(TransactionRejectedError)
        else expect((outcome as { error: unknown }).error).toBeInstanceOf(RpcError)
      }),
      { numRuns: 300 },
    )
  })

  it('a refusal carries its code and reason; a network failure is RpcError, not a rejection', async () => {
    const refused = answering(400, 'sendrawtransaction RPC error: {"code":-26,"message":"min relay fee not met, 100 < 141"}')
    await expect(refused.client.broadcast('00')).rejects.toMatchObject({
      code: 'TRANSACTION_REJECTED',
      details: { status: 400, code: -26, reason: 'min relay fee not met, 100 < 141' },
    })
    let calls = 0
    const offline = esplora('http://esplora.test', {
      retryCount: 3,
      fetch: async () => {
        calls++
        throw new TypeError('fetch failed')
      },
    })
    await expect(offline.broadcast('00')).rejects.toBeInstanceOf(RpcError)
    expect(calls).toBe(1)
  })
})

describe('previous transactions', () => {
  const network = NETWORKS.regtest
  const address = 'bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk'
  const script = baddress.toOutputScript(address, network)

  /** A transaction (bitcoinjs-lib) with `values` outputs to `address`, optionally with a witness. */
  const txArb = fc
    .record({
      values: fc.array(fc.bigInt({ min: 0n, max: 2_100_000_000_000_000n }), { minLength: 1, maxLength: 4 }),
      prev: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      scriptSig: fc.uint8Array({ maxLength: 20 }),
      witness: fc.option(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 3 }), { nil: undefined }),
      lockTime: fc.integer({ min: 0, max: 0xffffffff }),
    })
    .map(({ values, prev, scriptSig, witness, lockTime }) => {
      const tx = new Transaction()
      tx.locktime = lockTime
      tx.addInput(prev, 0, 0xfffffffd, scriptSig)
      if (witness) tx.setWitness(0, witness)
      for (const v of values) tx.addOutput(script, v)
      return tx
    })

  it('the real transaction is accepted for each of its outputs; another value or index is DataIntegrityError', () => {
    fc.assert(
      fc.property(txArb, fc.nat(), (tx, pick) => {
        const vout = pick % tx.outs.length
        const expected = { txid: tx.getId(), vout, script, value: tx.outs[vout]!.value }
        expect(Buffer.from(verifyPreviousTx(tx.toHex(), expected, 'input')).toString('hex')).toBe(tx.toHex())
        expect(() => verifyPreviousTx(tx.toHex(), { ...expected, value: expected.value + 1n }, 'input')).toThrow(DataIntegrityError)
        expect(() => verifyPreviousTx(tx.toHex(), { ...expected, vout: tx.outs.length }, 'input')).toThrow(DataIntegrityError)
      }),
      { numRuns: 200 },
    )
  })

  it('any change to the bytes is accepted only if bitcoinjs-lib still reads the same txid and output; anything else is DataIntegrityError', () => {
    fc.assert(
      fc.property(txArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (tx, at, flip) => {
        const bytes = Buffer.from(tx.toBuffer())
        const i = at % bytes.length
        bytes[i] = bytes[i]! ^ flip
        const expected = { txid: tx.getId(), vout: 0, script, value: tx.outs[0]!.value }
        let accepted = false
        try {
          verifyPreviousTx(bytes.toString('hex'), expected, 'input')
          accepted = true
        } catch (error) {
          expect(error).toBeInstanceOf(DataIntegrityError)
        }
        if (accepted) {
          // Only witness bytes can change without changing the txid.
          const parsed = Transaction.fromBuffer(bytes)
          expect(parsed.getId()).toBe(tx.getId())
          expect(parsed.outs[0]!.value).toBe(tx.outs[0]!.value)
        }
      }),
      { numRuns: 500 },
    )
  })

  it('arbitrary strings are DataIntegrityError, never another error', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('hex')),
        ),
        (hex) => {
          expect(() => verifyPreviousTx(hex, { txid: '00'.repeat(32), vout: 0, script, value: 1n }, 'input')).toThrow(DataIntegrityError)
        },
      ),
    )
  })
})
