import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { utils as tronUtils } from 'tronweb'
import { describe, expect, it } from 'vitest'
import { encodeTrc20Transfer } from '../../../src/chains/tron/abi.js'
import { tronAddressToBytes } from '../../../src/chains/tron/address.js'
import {
  TRANSFER_CONTRACT_TYPE_URL,
  TRIGGER_SMART_CONTRACT_TYPE_URL,
  decodeRawTransaction,
  decodeTransferContract,
  decodeTriggerSmartContract,
  encodeRawTransaction,
  encodeTransferContract,
  encodeTriggerSmartContract,
  tronTxId,
  type TronContract,
  type TronRawTransaction,
} from '../../../src/chains/tron/protobuf.js'
import { CofferError, InvalidArgumentError } from '../../../src/core/errors.js'

const USDT = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'
const ALICE = 'TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL'
const BOB = 'TLyqzVGLV1srkB7dToTAEqgDSfPtXRJZYH'
const EMPTY = new Uint8Array(0)
/** QuickNode's TRON docs, /wallet/broadcasttransaction request example: a mainnet node's createtransaction output. */
const NODE_BUILT =
  '0a025e4b220847c9dc89341b300d40f8fed3a2a72e5a66080112620a2d747970652e676f6f676c65617069732e636f6d2f70726f746f636f6c2e5472616e73666572436f6e747261637412310a1541608f8da72479edc7dd921e4c30bb7e7cddbe722e121541e9d79cc47518930bc322d9bf7cddd260a0260a8d18e8077093afd0a2a72e'

/** The transaction JSON TronGrid returns (`visible: false`): what TronWeb's txJsonToPb reads. */
function tronGridJson(raw: TronRawTransaction): Record<string, unknown> {
  const c = raw.contract
  const value =
    c.type === 'TransferContract'
      ? {
          owner_address: bytesToHex(c.parameter.ownerAddress),
          to_address: bytesToHex(c.parameter.toAddress),
          amount: Number(c.parameter.amount),
        }
      : {
          owner_address: bytesToHex(c.parameter.ownerAddress),
          contract_address: bytesToHex(c.parameter.contractAddress),
          data: bytesToHex(c.parameter.data),
          call_value: Number(c.parameter.callValue),
          ...(c.parameter.callTokenValue ? { call_token_value: Number(c.parameter.callTokenValue) } : {}),
          ...(c.parameter.tokenId ? { token_id: Number(c.parameter.tokenId) } : {}),
        }
  return {
    visible: false,
    raw_data: {
      contract: [
        {
          parameter: { value, type_url: c.type === 'TransferContract' ? TRANSFER_CONTRACT_TYPE_URL : TRIGGER_SMART_CONTRACT_TYPE_URL },
          type: c.type,
          ...(c.permissionId ? { Permission_id: c.permissionId } : {}),
        },
      ],
      ref_block_bytes: bytesToHex(raw.refBlockBytes),
      ref_block_hash: bytesToHex(raw.refBlockHash),
      expiration: Number(raw.expiration),
      timestamp: Number(raw.timestamp),
      ...(raw.feeLimit ? { fee_limit: Number(raw.feeLimit) } : {}),
      ...(raw.data.length ? { data: bytesToHex(raw.data) } : {}),
    },
  }
}

/** TronWeb's raw_data_hex and txID for the same transaction. */
function tronWeb(raw: TronRawTransaction): { rawDataHex: string; txId: string } {
  const pb = tronUtils.transaction.txJsonToPb(tronGridJson(raw) as never)
  return {
    rawDataHex: tronUtils.transaction.txPbToRawDataHex(pb).toLowerCase(),
    txId: tronUtils.transaction.txPbToTxID(pb).replace(/^0x/, ''),
  }
}

const transfer: TronRawTransaction = {
  refBlockBytes: hexToBytes('5e4b'),
  refBlockNum: 0n,
  refBlockHash: hexToBytes('47c9dc89341b300d'),
  expiration: 1_591_089_627_000n,
  data: new TextEncoder().encode('invoice 42'),
  contract: {
    type: 'TransferContract',
    parameter: { ownerAddress: tronAddressToBytes(ALICE), toAddress: tronAddressToBytes(BOB), amount: 1_000_000n },
    permissionId: 0,
  },
  timestamp: 1_591_089_567_635n,
  feeLimit: 0n,
}

const trc20: TronRawTransaction = {
  refBlockBytes: hexToBytes('a1b2'),
  refBlockNum: 0n,
  refBlockHash: hexToBytes('0011223344556677'),
  expiration: 1_735_689_660_000n,
  data: new TextEncoder().encode('order #7 — thanks'),
  contract: {
    type: 'TriggerSmartContract',
    parameter: {
      ownerAddress: tronAddressToBytes(ALICE),
      contractAddress: tronAddressToBytes(USDT),
      callValue: 0n,
      data: encodeTrc20Transfer(BOB, 12_345_678n),
      callTokenValue: 0n,
      tokenId: 0n,
    },
    permissionId: 2,
  },
  timestamp: 1_735_689_600_000n,
  feeLimit: 30_000_000n,
}

describe('Transaction.raw against TronWeb (txJsonToPb, txPbToRawDataHex, txPbToTxID)', () => {
  it.each([
    ['TransferContract with a memo', transfer],
    ['TriggerSmartContract (USDT transfer) with fee_limit, memo and a permission id', trc20],
  ])('%s: same bytes and txID', (_, raw) => {
    const bytes = encodeRawTransaction(raw)
    const tw = tronWeb(raw)
    expect(bytesToHex(bytes)).toBe(tw.rawDataHex)
    expect(tronTxId(bytes)).toBe(tw.txId)
    expect(tronTxId(raw)).toBe(tw.txId)
    expect(tronTxId(bytes)).toBe(bytesToHex(sha256(bytes)))
    expect(decodeRawTransaction(bytes)).toEqual(raw)
  })

  it('TronWeb decodes what we encode to the same fields (deserializeTransaction)', () => {
    const t = tronUtils.deserializeTx.deserializeTransaction('TriggerSmartContract', bytesToHex(encodeRawTransaction(trc20))) as {
      contract: { parameter: { value: Record<string, unknown>; type_url: string }; Permission_id: number }[]
      [field: string]: unknown
    }
    expect(String(t.ref_block_bytes).toLowerCase()).toBe('a1b2')
    expect(String(t.ref_block_hash).toLowerCase()).toBe('0011223344556677')
    expect(t.expiration).toBe(1_735_689_660_000)
    expect(t.timestamp).toBe(1_735_689_600_000)
    expect(t.fee_limit).toBe(30_000_000)
    expect(String(t.data).toLowerCase()).toBe(bytesToHex(trc20.data))
    expect(t.contract[0]!.Permission_id).toBe(2)
    expect(t.contract[0]!.parameter.type_url).toBe(TRIGGER_SMART_CONTRACT_TYPE_URL)
    const value = Object.fromEntries(Object.entries(t.contract[0]!.parameter.value).map(([k, v]) => [k, String(v).toLowerCase()]))
    expect(value).toEqual({
      owner_address: bytesToHex(tronAddressToBytes(ALICE)),
      contract_address: bytesToHex(tronAddressToBytes(USDT)),
      data: bytesToHex(encodeTrc20Transfer(BOB, 12_345_678n)),
      call_value: '0',
      call_token_value: '0',
      token_id: '0',
    })
  })

  it('reads a node-built transaction byte for byte (TransferContract from a /wallet/broadcasttransaction example)', () => {
    const hex = NODE_BUILT
    const raw = decodeRawTransaction(hexToBytes(hex))
    expect(raw.contract.type).toBe('TransferContract')
    expect(raw.contract.type === 'TransferContract' && raw.contract.parameter.amount).toBe(1000n)
    expect(raw.expiration).toBe(1_591_089_627_000n)
    expect(raw.timestamp).toBe(1_591_089_567_635n)
    expect(bytesToHex(encodeRawTransaction(raw))).toBe(hex)
    expect(tronTxId(hexToBytes(hex))).toBe(tronWeb(raw).txId)
  })

  it('random transactions in the range TronWeb handles (53-bit numbers) encode as TronWeb does', () => {
    fc.assert(
      fc.property(rawArb(fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) }), false), (raw) => {
        const tw = tronWeb(raw)
        expect(bytesToHex(encodeRawTransaction(raw))).toBe(tw.rawDataHex)
        expect(tronTxId(raw)).toBe(tw.txId)
      }),
      { numRuns: 200 },
    )
  })
})

// ---------------------------------------------------------------------------------------------

const addressArb = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((a) => Uint8Array.from([0x41, ...a]))
const i64Arb = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })

function contractArb(int: fc.Arbitrary<bigint>, tokens: boolean): fc.Arbitrary<TronContract> {
  const permissionId = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 31 - 1 }))
  return fc.oneof(
    fc.record({
      type: fc.constant('TransferContract' as const),
      parameter: fc.record({ ownerAddress: addressArb, toAddress: addressArb, amount: int }),
      permissionId,
    }),
    fc.record({
      type: fc.constant('TriggerSmartContract' as const),
      parameter: fc.record({
        ownerAddress: addressArb,
        contractAddress: addressArb,
        callValue: int,
        data: fc.uint8Array({ maxLength: 100 }),
        callTokenValue: tokens ? int : fc.constant(0n),
        tokenId: tokens ? int : fc.constant(0n),
      }),
      permissionId,
    }),
  )
}

function rawArb(int: fc.Arbitrary<bigint>, tokens = true): fc.Arbitrary<TronRawTransaction> {
  const maybe = (a: fc.Arbitrary<bigint>) => fc.oneof(fc.constant(0n), a)
  return fc.record({
    refBlockBytes: fc.uint8Array({ minLength: 2, maxLength: 2 }),
    refBlockNum: tokens ? maybe(int) : fc.constant(0n),
    refBlockHash: fc.uint8Array({ minLength: 8, maxLength: 8 }),
    expiration: maybe(int),
    data: fc.uint8Array({ maxLength: 60 }),
    contract: contractArb(int, tokens),
    timestamp: maybe(int),
    feeLimit: maybe(int),
  })
}

describe('protobuf codec properties', () => {
  it('decode(encode(x)) = x over the whole int64 range', () => {
    fc.assert(
      fc.property(rawArb(i64Arb), (raw) => {
        const bytes = encodeRawTransaction(raw)
        expect(decodeRawTransaction(bytes)).toEqual(raw)
        expect(encodeRawTransaction(decodeRawTransaction(bytes))).toEqual(bytes)
      }),
      { numRuns: 500 },
    )
  })

  it('int64 extremes and 2^53 + 1 survive (numbers would not)', () => {
    for (const amount of [2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), -1n]) {
      const c = { ownerAddress: tronAddressToBytes(ALICE), toAddress: tronAddressToBytes(BOB), amount }
      expect(decodeTransferContract(encodeTransferContract(c)).amount).toBe(amount)
    }
    // -1 as int64 is ten bytes: nine 0xff then 0x01.
    const c = { ownerAddress: tronAddressToBytes(ALICE), toAddress: tronAddressToBytes(BOB), amount: -1n }
    expect(bytesToHex(encodeTransferContract(c)).slice(-22)).toBe('18ffffffffffffffffff01')
  })

  it('random bytes never throw anything but InvalidArgumentError', () => {
    const decoders = [decodeRawTransaction, decodeTransferContract, decodeTriggerSmartContract]
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 2 }), (bytes, i) => {
        try {
          decoders[i]!(bytes)
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidArgumentError)
        }
      }),
      { numRuns: 3000 },
    )
  })

  it('every single-byte change of a valid transaction decodes to a canonical transaction or throws InvalidArgumentError', () => {
    const bytes = encodeRawTransaction(trc20)
    for (let i = 0; i < bytes.length; i++) {
      for (const v of [0x00, 0x01, 0x7f, 0x80, 0xff, bytes[i]! ^ 0x08]) {
        const mutated = bytes.slice()
        mutated[i] = v
        try {
          expect(encodeRawTransaction(decodeRawTransaction(mutated))).toEqual(mutated)
        } catch (e) {
          expect(e).toBeInstanceOf(CofferError)
          expect(e).toBeInstanceOf(InvalidArgumentError)
        }
      }
    }
  })

  it('truncations and extensions of a valid transaction are refused or canonical', () => {
    const bytes = encodeRawTransaction(trc20)
    let refused = 0
    for (let n = 0; n < bytes.length; n++) {
      const cut = bytes.slice(0, n)
      try {
        // A cut at a field boundary after the contract is a shorter canonical transaction (no fee_limit, say).
        expect(encodeRawTransaction(decodeRawTransaction(cut))).toEqual(cut)
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidArgumentError)
        refused++
      }
    }
    expect(refused).toBeGreaterThan(bytes.length - 5)
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 20 }), (tail) => {
        const extended = Uint8Array.from([...bytes, ...tail])
        expect(() => decodeRawTransaction(extended)).toThrow(InvalidArgumentError)
      }),
    )
  })
})

describe('strict decoding', () => {
  // The node-built TransferContract above: 0a02 <ref_block_bytes> 2208 <ref_block_hash> 40 <expiration>
  // 5a66 <contract: 0801 1262 <Any: 0a2d <type_url> 1231 <value>>> 70 <timestamp>.
  const hex = NODE_BUILT
  const reject = (h: string, reason: RegExp) => {
    let error: unknown
    try {
      decodeRawTransaction(hexToBytes(h))
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect((error as Error).message).toMatch(reason)
  }
  const contract = hex.slice(hex.indexOf('5a66'), hex.indexOf('5a66') + 4 + 0x66 * 2)
  const timestamp = hex.slice(-14)

  it('the fixture is what the comments say', () => {
    expect(timestamp.startsWith('70')).toBe(true)
    expect(hex.endsWith(contract + timestamp)).toBe(true)
  })
  it('refuses an unknown field (auths = 9, scripts = 12)', () => {
    reject(`${hex}6200`, /unknown field 12/)
    reject(hex.replace(contract, `4a00${contract}`), /unknown field 9/)
  })
  it('refuses a wrong wire type', () => reject(hex.replace(/^0a02/, '08'), /field 1 has wire type 0, not 2/))
  it('refuses fields out of order or repeated', () => {
    reject(`${hex}0a025e4b`, /field 1 out of order/)
    reject(`${hex}${timestamp}`, /field 14 repeated/)
  })
  it('refuses an explicit default value', () => reject(`${hex}900100`, /default value/))
  it('refuses an overlong varint', () => reject(`${hex.slice(0, -2)}${(parseInt(hex.slice(-2), 16) | 0x80).toString(16)}00`, /overlong/))
  it('refuses a varint over 64 bits', () => reject(`${hex.slice(0, -14)}90ffffffffffffffff02`, /overflows/))
  it('refuses bytes past the end', () => {
    reject(hex.slice(0, -2), /truncated varint/)
    reject(hex.replace(/^0a02/, '0aff01'), /runs past the end/)
  })
  it('refuses a second contract', () => reject(hex.replace(contract, contract + contract), /field 11 repeated/))
  it('refuses a contract type it does not sign, and a type_url that does not match', () => {
    reject(hex.replace('5a660801', '5a660802'), /Contract type 2 is not one coffer signs/)
    const wrong = bytesToHex(new TextEncoder().encode(TRIGGER_SMART_CONTRACT_TYPE_URL.slice(0, 45)))
    const right = bytesToHex(new TextEncoder().encode(TRANSFER_CONTRACT_TYPE_URL))
    reject(hex.replace(right, wrong), /type_url/)
  })
  it('refuses TaPoS fields of the wrong size and addresses that are not 0x41 ‖ 20 bytes', () => {
    reject(hex.replace(/^0a025e4b/, '0a035e4b00'), /ref_block_bytes must be 2 bytes/)
    reject(
      hex.replace('41608f8da72479edc7dd921e4c30bb7e7cddbe722e', '42608f8da72479edc7dd921e4c30bb7e7cddbe722e'),
      /owner_address is not a TRON address/,
    )
  })
  it('refuses a raw transaction with no contract', () => reject('0a025e4b220847c9dc89341b300d', /no contract/))
  it('refuses what is not a Uint8Array', () => expect(() => decodeRawTransaction('0a02' as never)).toThrow(InvalidArgumentError))
})

describe('encoding checks its input', () => {
  it.each([
    ['a number amount', { ...transfer, contract: { ...transfer.contract, parameter: { ...transfer.contract.parameter, amount: 1 } } }],
    [
      'an amount past int64',
      { ...transfer, contract: { ...transfer.contract, parameter: { ...transfer.contract.parameter, amount: 2n ** 63n } } },
    ],
    [
      'a 20-byte address',
      { ...transfer, contract: { ...transfer.contract, parameter: { ...transfer.contract.parameter, toAddress: new Uint8Array(20) } } },
    ],
    ['a 3-byte ref_block_bytes', { ...transfer, refBlockBytes: new Uint8Array(3) }],
    ['a missing ref_block_hash', { ...transfer, refBlockHash: EMPTY }],
    ['a negative permission id', { ...transfer, contract: { ...transfer.contract, permissionId: -1 } }],
    ['another contract type', { ...transfer, contract: { ...transfer.contract, type: 'TransferAssetContract' } }],
    ['no object', null],
  ])('refuses %s', (_, raw) => {
    expect(() => encodeRawTransaction(raw as unknown as TronRawTransaction)).toThrow(InvalidArgumentError)
  })

  it('TriggerSmartContract alone encodes as TronWeb does (call_token_value, token_id)', () => {
    const c = { ...trc20.contract.parameter, callValue: 5n, callTokenValue: 7n, tokenId: 1_000_001n } as never
    const bytes = encodeTriggerSmartContract(c)
    expect(decodeTriggerSmartContract(bytes)).toEqual(c)
    const raw = { ...trc20, contract: { type: 'TriggerSmartContract', parameter: c, permissionId: 0 } } as TronRawTransaction
    expect(bytesToHex(encodeRawTransaction(raw))).toBe(tronWeb(raw).rawDataHex)
  })
})
