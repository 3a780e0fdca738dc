/**
 * Transaction status reads are several RPC calls, not one snapshot. These tests replay the
 * interleavings a busy node produces (a block mined between two reads) with a scripted client.
 */
import type { PublicClient } from 'viem'
import { describe, expect, it } from 'vitest'
import { resolveChain } from '../../../src/chains/evm/networks.js'
import { Journal } from '../../../src/chains/evm/journal.js'
import { transactionStatus } from '../../../src/chains/evm/status.js'

const HASH = `0x${'ab'.repeat(32)}` as const
const FROM = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const
const RECEIPT = {
  transactionHash: HASH as string,
  status: '0x1',
  blockNumber: '0x10',
  blockHash: `0x${'cd'.repeat(32)}`,
  gasUsed: '0x5208',
  effectiveGasPrice: '0x3b9aca00',
}

/** A client whose receipt reads return `receipts` in turn (the last one repeats). */
function scripted(options: {
  receipts: (typeof RECEIPT | null)[]
  tx: { from: string; nonce: string; blockNumber: string | null } | null
  nonceCount: number
  head: number
}): PublicClient {
  const receipts = [...options.receipts]
  return {
    request: async ({ method }: { method: string }) => {
      if (method === 'eth_getTransactionReceipt') return receipts.length > 1 ? receipts.shift() : receipts[0]
      if (method === 'eth_getTransactionByHash') return options.tx
      if (method === 'eth_blockNumber') return `0x${options.head.toString(16)}`
      throw new Error(`unexpected ${method}`)
    },
    getTransactionCount: async () => options.nonceCount,
  } as unknown as PublicClient
}

const chain = () => resolveChain('eip155:31337', ['http://127.0.0.1:9'], undefined)

describe('transactionStatus', () => {
  it('a transaction mined between the receipt read and the nonce read is confirmed, not dropped', async () => {
    const client = scripted({ receipts: [null, RECEIPT], tx: { from: FROM, nonce: '0x5', blockNumber: null }, nonceCount: 6, head: 0x11 })
    const status = await transactionStatus(client, chain(), new Journal(31337), HASH)
    expect(status).toMatchObject({ state: 'confirmed', blockHeight: 16, confirmations: 2, fee: { amount: 21_000n * 1_000_000_000n } })
  })

  it('a transaction the node shows in a block, before its receipt, is pending', async () => {
    const client = scripted({ receipts: [null], tx: { from: FROM, nonce: '0x5', blockNumber: '0x10' }, nonceCount: 6, head: 0x10 })
    expect(await transactionStatus(client, chain(), new Journal(31337), HASH)).toEqual({ hash: HASH, state: 'pending', confirmations: 0 })
  })

  it('a transaction whose nonce another one used, and which has no receipt, is dropped', async () => {
    const client = scripted({ receipts: [null], tx: { from: FROM, nonce: '0x5', blockNumber: null }, nonceCount: 6, head: 0x10 })
    expect(await transactionStatus(client, chain(), new Journal(31337), HASH)).toEqual({
      hash: HASH,
      state: 'dropped',
      confirmations: 0,
      unminable: true,
    })
  })

  it('a transaction the node does not know, sent elsewhere, is dropped but not proven unminable', async () => {
    const client = scripted({ receipts: [null], tx: null, nonceCount: 6, head: 0x10 })
    expect(await transactionStatus(client, chain(), new Journal(31337), HASH)).toEqual({
      hash: HASH,
      state: 'dropped',
      confirmations: 0,
      unminable: false,
    })
  })

  it("another transaction's receipt is not a confirmation", async () => {
    const other = { ...RECEIPT, transactionHash: `0x${'ef'.repeat(32)}` }
    const client = scripted({ receipts: [other], tx: { from: FROM, nonce: '0x5', blockNumber: null }, nonceCount: 5, head: 0x11 })
    await expect(transactionStatus(client, chain(), new Journal(31337), HASH)).rejects.toMatchObject({ code: 'DATA_INTEGRITY' })
  })
})
