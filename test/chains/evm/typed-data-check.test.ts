// The strict EIP-712 check that runs before every typed-data signature
// (src/chains/evm/typed-data-check.ts). Oracles: viem's hashTypedData / recoverTypedDataAddress
// on the canonical form of each value, and ethers v6 TypedDataEncoder in the property test.
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { TypedDataEncoder } from 'ethers'
import fc from 'fast-check'
import { bytesToHex, getAddress, hashTypedData, hexToBytes, recoverTypedDataAddress, type Hex, type TypedDataDefinition } from 'viem'
import { describe, expect, it } from 'vitest'
import { InvalidArgumentError, signTypedData, toViemAccount } from 'coffer/evm'
import { KeyHandle, evmAddressFromPublicKey, type Secp256k1Signer } from 'coffer/keys'
import { createSecp256k1Signer } from '../../../src/keys/signer.js'
import { checkTypedData, MAX_DEPTH } from '../../../src/chains/evm/typed-data-check.js'

const KEY = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318'

function keySigner(privateKey: Hex): Secp256k1Signer {
  const key = hexToBytes(privateKey)
  const publicKey = secp256k1.getPublicKey(key, true)
  return createSecp256k1Signer(new KeyHandle(key), { chain: 'evm', address: evmAddressFromPublicKey(publicKey), publicKey })
}
const signer = keySigner(KEY)

/** Typed data with one field `data` of `type` in a struct `Message`. */
const one = (type: string, data: unknown, domain: Record<string, unknown> = { name: 'coffer test', chainId: 1 }) =>
  ({ domain, types: { Message: [{ name: 'data', type }] }, primaryType: 'Message', message: { data } }) as unknown as TypedDataDefinition

/** The InvalidArgumentError `promise` rejects with (fails on any other outcome). */
async function refusal(promise: Promise<unknown>): Promise<InvalidArgumentError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(InvalidArgumentError)
  return error as InvalidArgumentError
}

const MAIL = {
  domain: { name: 'Ether Mail', version: '1', chainId: 1, verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC' },
  types: {
    Person: [
      { name: 'name', type: 'string' },
      { name: 'wallet', type: 'address' },
    ],
    Mail: [
      { name: 'from', type: 'Person' },
      { name: 'to', type: 'Person' },
      { name: 'contents', type: 'string' },
    ],
  },
  primaryType: 'Mail',
  message: {
    from: { name: 'Cow', wallet: '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826' },
    to: { name: 'Bob', wallet: '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB' },
    contents: 'Hello, Bob!',
  },
} as const

describe('the text "a" as bytes1 (the bug: viem signed it as 0x00)', () => {
  it('is refused, naming the path and the type', async () => {
    const error = await refusal(signTypedData(signer, one('bytes1', 'a')))
    expect(error.shortMessage).toMatchInlineSnapshot(
      `"message.data must be bytes1 (0x and 2 hex digits, or a Uint8Array of 1), got a string of 1 character that is not 0x-hex."`,
    )
    expect(error.details).toEqual({ path: 'message.data', type: 'bytes1' })
  })

  it('0x61 (the byte of "a") signs, and the signature recovers to the signer', async () => {
    const typed = one('bytes1', '0x61')
    const sig = await signTypedData(signer, typed)
    expect(sig.digest).toBe(hashTypedData(typed))
    expect(await recoverTypedDataAddress({ ...typed, signature: sig.signature })).toBe(signer.address)
    // The bug signed "a" as if it were 0x00: that digest is not what 0x61 gives.
    expect(sig.digest).not.toBe(hashTypedData(one('bytes1', '0x00')))
  })

  it('is refused by toViemAccount too (viem wallet clients sign through it)', async () => {
    const account = toViemAccount(signer)
    await refusal(account.signTypedData!(one('bytes1', 'a') as never))
    const typed = one('bytes1', '0x61')
    expect(await recoverTypedDataAddress({ ...typed, signature: await account.signTypedData!(typed as never) })).toBe(signer.address)
  })
})

// ---- each rule: accepted encodings sign exactly as the canonical value does ------------------

const UINT256_MAX = 2n ** 256n - 1n
const INT256_MIN = -(2n ** 255n)
const CHECKSUMMED = '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826'

const accepted: [type: string, value: unknown, canonical: unknown][] = [
  ['bytes1', '0x61', '0x61'],
  ['bytes1', '0xAB', '0xab'],
  ['bytes1', new Uint8Array([0x61]), '0x61'],
  ['bytes32', `0x${'ab'.repeat(32)}`, `0x${'ab'.repeat(32)}`],
  ['bytes32', new Uint8Array(32).fill(7), `0x${'07'.repeat(32)}`],
  ['bytes', '0x', '0x'],
  ['bytes', '0xDEADbeef', '0xdeadbeef'],
  ['bytes', new Uint8Array([1, 2, 3]), '0x010203'],
  ['address', CHECKSUMMED, CHECKSUMMED],
  ['address', CHECKSUMMED.toLowerCase(), CHECKSUMMED],
  ['address', `0x${CHECKSUMMED.slice(2).toUpperCase()}`, CHECKSUMMED],
  ['uint8', 0, 0n],
  ['uint8', 255, 255n],
  ['uint8', '255', 255n],
  ['uint8', '0xff', 255n],
  ['uint8', '0x0', 0n],
  ['uint8', '007', 7n],
  ['uint256', UINT256_MAX, UINT256_MAX],
  ['uint256', UINT256_MAX.toString(), UINT256_MAX],
  ['uint256', `0x${'f'.repeat(64)}`, UINT256_MAX],
  ['uint256', Number.MAX_SAFE_INTEGER, BigInt(Number.MAX_SAFE_INTEGER)],
  ['int8', -128, -128n],
  ['int8', '-128', -128n],
  ['int8', 127n, 127n],
  ['int8', '-0', 0n],
  ['int256', INT256_MIN.toString(), INT256_MIN],
  ['int256', -Number.MAX_SAFE_INTEGER, -BigInt(Number.MAX_SAFE_INTEGER)],
  ['bool', true, true],
  ['bool', false, false],
  ['string', '', ''],
  ['string', 'Hello 😁', 'Hello 😁'],
  ['string', '0xabcde', '0xabcde'],
  ['uint8[]', [], []],
  ['uint8[]', [1, '2', '0x3', 4n], [1n, 2n, 3n, 4n]],
  ['uint8[2]', [1, 2], [1n, 2n]],
  ['bytes2[][]', [[], ['0x0102'], [new Uint8Array([3, 4]), '0xAABB']], [[], ['0x0102'], ['0x0304', '0xaabb']]],
  ['address[1][2]', [[CHECKSUMMED], [CHECKSUMMED.toLowerCase()]], [[CHECKSUMMED], [CHECKSUMMED]]],
]

const refused: [type: string, value: unknown][] = [
  ['bytes1', 'a'],
  ['bytes1', 'test'],
  ['bytes1', '0x'],
  ['bytes1', '0x6'],
  ['bytes1', '0x6161'],
  ['bytes1', '61'],
  ['bytes1', '0X61'],
  ['bytes1', 0x61],
  ['bytes1', 1],
  ['bytes1', 97n],
  ['bytes1', new Uint8Array(2)],
  ['bytes1', null],
  ['bytes32', '0x10'],
  ['bytes32', `0x${'ab'.repeat(33)}`],
  ['bytes32', new Uint8Array(31)],
  ['bytes32', 'a'],
  ['bytes', '0x101'],
  ['bytes', '0x0'],
  ['bytes', '10'],
  ['bytes', 10],
  ['bytes', 'hello'],
  ['bytes', [1, 2]],
  ['address', '0x0'],
  ['address', '0x10'],
  ['address', 10],
  ['address', CHECKSUMMED.slice(2)],
  ['address', `${CHECKSUMMED}0`],
  ['address', CHECKSUMMED.slice(0, -1)],
  ['address', '0xDD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826'], // broken EIP-55 checksum
  ['address', new Uint8Array(20)],
  ['uint8', 256],
  ['uint8', -1],
  ['uint8', '-1'],
  ['uint8', '256'],
  ['uint8', '0x100'],
  ['uint256', -1],
  ['uint256', UINT256_MAX + 1n],
  ['uint256', 1.5],
  ['uint256', NaN],
  ['uint256', Infinity],
  ['uint256', 2 ** 53],
  ['uint256', ''],
  ['uint256', ' 1'],
  ['uint256', '1 '],
  ['uint256', '+1'],
  ['uint256', '1e3'],
  ['uint256', '1.0'],
  ['uint256', '0b1'],
  ['uint256', '0o7'],
  ['uint256', '0x'],
  ['uint256', '-0x1'],
  ['uint256', '0X1'],
  ['uint256', `1${'0'.repeat(80)}`],
  ['uint256', true],
  ['uint256', null],
  ['uint256', {}],
  ['int8', 128],
  ['int8', -129],
  ['int8', '256'],
  ['int8', '0x80'],
  ['int8', 255],
  ['int8', -255],
  ['int256', 2n ** 255n],
  ['int256', INT256_MIN - 1n],
  ['bool', 'true'],
  ['bool', 'false'],
  ['bool', 0],
  ['bool', 1],
  ['bool', null],
  ['string', 10],
  ['string', null],
  ['string', new Uint8Array(1)],
  ['string', 'lone \uD800 surrogate'],
  ['uint8[]', 'not an array'],
  ['uint8[]', { 0: 1, length: 1 }],
  ['uint8[]', [1, 256]],
  ['uint8[2]', [1]],
  ['uint8[2]', [1, 2, 3]],
  ['uint8[2]', []],
  ['bytes2[][]', [['0x0102'], ['0x01']]],
]

/** A test-name label for a value (bigints, bytes, NaN and Infinity included). */
function label(v: unknown): string {
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`
  if (typeof v === 'bigint') return `${v}n`
  if (typeof v === 'number') return String(v)
  if (Array.isArray(v)) return `[${v.map(label).join(', ')}]`
  return JSON.stringify(v) ?? String(v)
}

describe('values: each EIP-712 type', () => {
  it.each(accepted.map(([t, v, c]) => [t, label(v), v, c] as const))(
    '%s accepts %s, signing it as its canonical form',
    async (type, _label, value, canonical) => {
      const sig = await signTypedData(signer, one(type, value))
      expect(sig.digest).toBe(hashTypedData(one(type, canonical)))
      expect(await recoverTypedDataAddress({ ...one(type, canonical), signature: sig.signature })).toBe(signer.address)
    },
  )

  it.each(refused.map(([t, v]) => [t, label(v), v] as const))('%s refuses %s', async (type, _label, value) => {
    const error = await refusal(signTypedData(signer, one(type, value)))
    expect(String(error.details.path)).toMatch(/^message\.data/)
    expect(error.shortMessage.split('\n')).toHaveLength(1)
  })

  it('names the path of a value deep in structs and arrays', async () => {
    const typed = {
      domain: { name: 'Permit2', chainId: 1, verifyingContract: '0x000000000022D473030F116dDEE9F6B43aC78BA3' },
      types: {
        PermitDetails: [
          { name: 'token', type: 'address' },
          { name: 'amount', type: 'uint160' },
          { name: 'expiration', type: 'uint48' },
          { name: 'nonce', type: 'uint48' },
        ],
        PermitBatch: [
          { name: 'details', type: 'PermitDetails[]' },
          { name: 'spender', type: 'address' },
          { name: 'sigDeadline', type: 'uint256' },
        ],
      },
      primaryType: 'PermitBatch',
      message: {
        details: [0n, 1n, -5n].map((amount) => ({ token: CHECKSUMMED, amount, expiration: 1, nonce: 0 })),
        spender: CHECKSUMMED,
        sigDeadline: 1n,
      },
    }
    const error = await refusal(signTypedData(signer, typed as never))
    expect(error.shortMessage).toBe('message.details[2].amount is out of range for uint160 (0 to 2^160-1).')
    expect(error.details).toEqual({ path: 'message.details[2].amount', type: 'uint160' })
  })

  it('small ranges are spelled out, large ones as powers of two', () => {
    expect(() => checkTypedData(one('int8', 200))).toThrow('message.data is out of range for int8 (-128 to 127).')
    expect(() => checkTypedData(one('int256', 2n ** 255n))).toThrow('(-2^255 to 2^255-1)')
  })

  it('error messages describe a bad value by its kind and size, without quoting it', async () => {
    const error = await refusal(signTypedData(signer, one('bytes32', 'my secret phrase')))
    expect(error.message).not.toContain('secret')
    const messages = await Promise.all(
      (
        [
          ['bytes32', '0x10'],
          ['bytes', '0x101'],
          ['bool', 0],
          ['uint8', 1.5],
          ['uint256', 2 ** 60],
          ['uint256', NaN],
          ['uint256', ''],
          ['uint256', '1e3'],
          ['address', null],
        ] as const
      ).map(async ([type, value]) => (await refusal(signTypedData(signer, one(type, value)))).shortMessage),
    )
    expect(messages).toEqual([
      'message.data must be bytes32 (0x and 64 hex digits, or a Uint8Array of 32), got 0x-hex of 1 byte.',
      'message.data must be bytes (0x and an even number of hex digits, or a Uint8Array), got 0x-hex of 3 digits (odd).',
      'message.data must be a bool (true or false), got a number.',
      'message.data must be uint8: an integer as a bigint, a safe-integer number or a decimal or 0x-hex string; got a number with a fraction.',
      'message.data must be uint256: an integer as a bigint, a safe-integer number or a decimal or 0x-hex string; got a number beyond 2^53 (use a bigint or a string).',
      'message.data must be uint256: an integer as a bigint, a safe-integer number or a decimal or 0x-hex string; got NaN.',
      'message.data must be uint256: an integer as a bigint, a safe-integer number or a decimal or 0x-hex string; got an empty string.',
      'message.data must be uint256: an integer as a bigint, a safe-integer number or a decimal or 0x-hex string; got a string that is not a decimal or 0x-hex integer.',
      'message.data must be an address (0x and 40 hex digits), got null.',
    ])
  })
})

// ---- structs -----------------------------------------------------------------------------

describe('structs', () => {
  it('the EIP-712 Mail example signs; every field is required', async () => {
    const sig = await signTypedData(signer, MAIL)
    expect(await recoverTypedDataAddress({ ...MAIL, signature: sig.signature })).toBe(signer.address)
    const { to: _to, ...noTo } = MAIL.message
    const error = await refusal(signTypedData(signer, { ...MAIL, message: noTo } as never))
    expect(error.shortMessage).toBe('message.to is missing: Mail declares it as Person.')
    await refusal(signTypedData(signer, { ...MAIL, message: { ...MAIL.message, to: { name: 'Bob' } } } as never))
    await refusal(signTypedData(signer, { ...MAIL, message: { ...MAIL.message, to: undefined } } as never))
  })

  it('null, arrays, strings and bytes are not struct values', async () => {
    for (const bad of [null, [], 'Bob', new Uint8Array(2), 5]) {
      const error = await refusal(signTypedData(signer, { ...MAIL, message: { ...MAIL.message, to: bad } } as never))
      expect(error.details.path).toBe('message.to')
    }
    await refusal(signTypedData(signer, { ...MAIL, message: null } as never))
    await refusal(signTypedData(signer, { ...MAIL, message: undefined } as never))
  })

  it('refuses a key the struct does not declare (it would not be signed); undefined ones are ignored', async () => {
    const error = await refusal(signTypedData(signer, { ...MAIL, message: { ...MAIL.message, amount: '1000' } } as never))
    expect(error.shortMessage).toBe(
      'message has a field "amount" that Mail does not declare: it would not be signed; remove it or declare it in types.Mail.',
    )
    await refusal(signTypedData(signer, { ...MAIL, message: { ...MAIL.message, to: { ...MAIL.message.to, note: 'hi' } } } as never))
    const sig = await signTypedData(signer, { ...MAIL, message: { ...MAIL.message, amount: undefined } } as never)
    expect(sig.digest).toBe(hashTypedData(MAIL))
  })

  it('fields must be own properties (an inherited value is not read)', async () => {
    const message = Object.create({ contents: 'inherited' }) as Record<string, unknown>
    message.from = MAIL.message.from
    message.to = MAIL.message.to
    expect((await refusal(signTypedData(signer, { ...MAIL, message } as never))).details.path).toBe('message.contents')
  })

  it('recursive struct types are allowed; a cyclic value is refused, not overflowing the stack', async () => {
    const types = {
      Node: [
        { name: 'label', type: 'string' },
        { name: 'children', type: 'Node[]' },
      ],
    }
    const tree = {
      label: 'root',
      children: [
        { label: 'a', children: [] },
        { label: 'b', children: [{ label: 'c', children: [] }] },
      ],
    }
    const typed = { domain: {}, types, primaryType: 'Node', message: tree } as unknown as TypedDataDefinition
    const sig = await signTypedData(signer, typed)
    expect(await recoverTypedDataAddress({ ...typed, signature: sig.signature })).toBe(signer.address)
    const cyclic: { label: string; children: unknown[] } = { label: 'loop', children: [] }
    cyclic.children.push(cyclic)
    const error = await refusal(signTypedData(signer, { ...typed, message: cyclic } as never))
    expect(error.shortMessage).toContain(`more than ${MAX_DEPTH}`)
    // A struct that needs itself (no array to stop it) can have no finite value.
    await refusal(
      signTypedData(signer, {
        domain: {},
        types: { Loop: [{ name: 'next', type: 'Loop' }] },
        primaryType: 'Loop',
        message: { next: { next: {} } },
      } as never),
    )
  })

  it(`values may nest ${MAX_DEPTH} arrays or structs deep, not more; at most a million values`, async () => {
    const nested = (depth: number) =>
      one(
        `uint8${'[]'.repeat(depth)}`,
        Array.from({ length: depth }).reduce<unknown>((inner) => [inner], 7),
      )
    expect((await signTypedData(signer, nested(MAX_DEPTH))).digest).toBe(hashTypedData(nested(MAX_DEPTH)))
    expect((await refusal(signTypedData(signer, nested(MAX_DEPTH + 1)))).shortMessage).toContain(`nests more than ${MAX_DEPTH}`)
    expect(() => checkTypedData(one('bool[]', new Array(1_000_001).fill(true)))).toThrow('at most 1,000,000 values')
  })

  it('an empty struct and unused (but valid) types are fine, as eth-sig-util and viem allow', async () => {
    const typed = {
      domain: { name: 'x' },
      types: { Empty: [], Unused: [{ name: 'data', type: 'string' }] },
      primaryType: 'Empty',
      message: {},
    }
    expect((await signTypedData(signer, typed as never)).digest).toBe(hashTypedData(typed as never))
  })

  it('a getter that throws becomes an InvalidArgumentError', async () => {
    const message = {
      ...MAIL.message,
      get contents(): string {
        throw new TypeError('boom')
      },
    }
    const error = await refusal(signTypedData(signer, { ...MAIL, message } as never))
    expect(error.cause).toBeInstanceOf(TypeError)
  })

  it('does not change its input', async () => {
    const input = structuredClone(one('uint8[]', ['1', '0x2']) as unknown as Record<string, unknown>)
    const before = structuredClone(input)
    checkTypedData(input)
    expect(input).toEqual(before)
  })
})

// ---- types and the domain ----------------------------------------------------------------

describe('types', () => {
  const withTypes = (types: Record<string, unknown>, primaryType = 'Message', message: unknown = { data: 1 }) =>
    ({ domain: {}, types, primaryType, message }) as never

  it.each([
    [
      'an unknown type',
      { Message: [{ name: 'data', type: 'Mial' }] },
      'types.Message[0].type "Mial" is not an EIP-712 type: it is neither an EIP-712 atomic type nor a struct in types.',
    ],
    [
      'the uint alias',
      { Message: [{ name: 'data', type: 'uint' }] },
      'types.Message[0].type "uint" is not an EIP-712 type: write uint256.',
    ],
    ['the int alias', { Message: [{ name: 'data', type: 'int[]' }] }, 'types.Message[0].type "int" is not an EIP-712 type: write int256.'],
    ['uint7', { Message: [{ name: 'data', type: 'uint7' }] }, 'not an EIP-712 type'],
    ['uint264', { Message: [{ name: 'data', type: 'uint264' }] }, 'not an EIP-712 type'],
    ['bytes0', { Message: [{ name: 'data', type: 'bytes0' }] }, 'not an EIP-712 type'],
    ['bytes33', { Message: [{ name: 'data', type: 'bytes33' }] }, 'not an EIP-712 type'],
    ['bytes01', { Message: [{ name: 'data', type: 'bytes01' }] }, 'not an EIP-712 type'],
    ['a zero-length array', { Message: [{ name: 'data', type: 'uint8[0]' }] }, 'bad array size'],
    ['a padded array size', { Message: [{ name: 'data', type: 'uint8[02]' }] }, 'bad array size'],
    ['a negative array size', { Message: [{ name: 'data', type: 'uint8[-1]' }] }, 'bad array size'],
    ['a bare []', { Message: [{ name: 'data', type: '[]' }] }, 'bad array size'],
    ['a space in a type', { Message: [{ name: 'data', type: 'uint8 ' }] }, 'not an EIP-712 type'],
    [
      'a duplicated field',
      {
        Message: [
          { name: 'data', type: 'uint8' },
          { name: 'data', type: 'uint16' },
        ],
      },
      'declares the field "data" twice',
    ],
    ['a field name with a comma', { Message: [{ name: 'a,uint8 b', type: 'uint8' }] }, 'is not a valid field name'],
    ['a __proto__ field', { Message: [{ name: '__proto__', type: 'uint8' }] }, 'is not a valid field name'],
    ['a field without type', { Message: [{ name: 'data' }] }, 'must be { name, type }'],
    ['fields not in an array', { Message: { data: 'uint8' } }, 'must be an array of { name, type } fields'],
    ['a struct named like a Solidity type', { Message: [{ name: 'data', type: 'uint8' }], uint7: [] }, 'types has a struct named "uint7"'],
    ['a struct named address', { Message: [{ name: 'data', type: 'uint8' }], address: [] }, 'types has a struct named "address"'],
    ['a struct name with parentheses', { Message: [{ name: 'data', type: 'uint8' }], 'A(uint8 b)': [] }, 'types has a struct named'],
    [
      'a bad type in an unused struct',
      { Message: [{ name: 'data', type: 'uint8' }], Unused: [{ name: 'x', type: 'uint' }] },
      'types.Unused[0].type',
    ],
  ])('refuses %s', (_name, types, message) => {
    expect(() => checkTypedData(withTypes(types))).toThrow(InvalidArgumentError)
    expect(() => checkTypedData(withTypes(types))).toThrow(message)
  })

  it('refuses a missing or unknown primaryType, and types that are not an object', () => {
    expect(() => checkTypedData(withTypes({ Message: [] }, 'Mail'))).toThrow('primaryType "Mail" is not defined in types.')
    expect(() => checkTypedData({ ...(withTypes({ Message: [] }) as object), primaryType: undefined })).toThrow(
      'primaryType must be a string',
    )
    for (const types of [undefined, null, [], 'Message'])
      expect(() => checkTypedData(withTypes(types as never))).toThrow('types must be an object')
    for (const typed of [undefined, null, 'typed', [], 5]) expect(() => checkTypedData(typed)).toThrow(InvalidArgumentError)
  })

  it('struct names may use letters, digits, _, $ and : (as viem allows, e.g. namespaced types)', async () => {
    const typed = {
      domain: { chainId: 42161 },
      types: { 'Exchange:Order_v2$': [{ name: 'id', type: 'uint64' }] },
      primaryType: 'Exchange:Order_v2$',
      message: { id: 1 },
    }
    expect((await signTypedData(signer, typed as never)).digest).toBe(hashTypedData({ ...typed, message: { id: 1n } } as never))
  })
})

describe('the domain', () => {
  const domainOnly = (domain: unknown, EIP712Domain?: unknown) =>
    ({
      domain,
      types: { ...(EIP712Domain ? { EIP712Domain } : {}), Message: [{ name: 'data', type: 'string' }] },
      primaryType: 'Message',
      message: { data: 'hi' },
    }) as never

  it('is inferred from its keys (as viem and ethers do) and its values are checked like any value', async () => {
    const domain = { name: 'Ether Mail', version: '1', chainId: 1n, verifyingContract: CHECKSUMMED, salt: `0x${'11'.repeat(32)}` }
    const digest = hashTypedData(domainOnly(domain))
    for (const chainId of [1, '1', '0x1']) expect((await signTypedData(signer, domainOnly({ ...domain, chainId }))).digest).toBe(digest)
    expect((await signTypedData(signer, domainOnly({ ...domain, salt: new Uint8Array(32).fill(0x11) }))).digest).toBe(digest)
    const bad: [string, unknown][] = [
      ['chainId', -1],
      ['chainId', 1.5],
      ['chainId', ''],
      ['verifyingContract', '0xDD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826'],
      ['salt', '0x010000000200000003000000'],
      ['name', 5],
      ['version', null],
    ]
    for (const [key, value] of bad) {
      const error = await refusal(signTypedData(signer, domainOnly({ ...domain, [key]: value })))
      expect(error.details.path).toBe(`domain.${key}`)
    }
  })

  it('refuses keys that are not EIP-712 domain fields', async () => {
    expect((await refusal(signTypedData(signer, domainOnly({ name: 'x', extraField: 'stuff' })))).shortMessage).toBe(
      'domain.extraField is not an EIP-712 domain field (name, version, chainId, verifyingContract, salt).',
    )
    expect((await refusal(signTypedData(signer, domainOnly({ 'bad\nkey': 1 })))).shortMessage).toBe(
      'domain["bad\\nkey"] is not an EIP-712 domain field (name, version, chainId, verifyingContract, salt).',
    )
    await refusal(signTypedData(signer, domainOnly('domain')))
    await refusal(signTypedData(signer, domainOnly(null)))
  })

  it('an explicit EIP712Domain may only hold the domain fields with their types, and the domain must match it', async () => {
    const fields = [
      { name: 'name', type: 'string' },
      { name: 'chainId', type: 'uint256' },
    ]
    const sig = await signTypedData(signer, domainOnly({ name: 'x', chainId: 10 }, fields))
    expect(sig.digest).toBe(hashTypedData(domainOnly({ name: 'x', chainId: 10 })))
    // chainId given but not declared: it would not be signed.
    expect((await refusal(signTypedData(signer, domainOnly({ name: 'x', chainId: 10 }, [fields[0]])))).shortMessage).toBe(
      'domain has a field "chainId" that EIP712Domain does not declare: it would not be signed; remove it or declare it in types.EIP712Domain.',
    )
    expect((await refusal(signTypedData(signer, domainOnly({ name: 'x' }, fields)))).details.path).toBe('domain.chainId')
    expect(() => checkTypedData(domainOnly({}, [{ name: 'chainId', type: 'string' }]))).toThrow(
      'types.EIP712Domain[0] chainId must have type uint256, not "string".',
    )
    expect(() => checkTypedData(domainOnly({}, [{ name: 'customName', type: 'string' }]))).toThrow('is not an EIP-712 domain field')
    expect(() =>
      checkTypedData(
        domainOnly({}, [
          { name: 'name', type: 'string' },
          { name: 'name', type: 'string' },
        ]),
      ),
    ).toThrow('twice')
  })

  it('primaryType EIP712Domain signs the domain alone, so the message must be empty', async () => {
    const typed = {
      domain: { name: 'example.metamask.io', version: '1', chainId: 1 },
      types: {
        EIP712Domain: [
          { name: 'name', type: 'string' },
          { name: 'version', type: 'string' },
          { name: 'chainId', type: 'uint256' },
        ],
      },
      primaryType: 'EIP712Domain',
    }
    const digest = hashTypedData(typed as never)
    for (const message of [undefined, {}]) expect((await signTypedData(signer, { ...typed, message } as never)).digest).toBe(digest)
    expect((await refusal(signTypedData(signer, { ...typed, message: { amount: 1 } } as never))).shortMessage).toBe(
      'message must be empty when primaryType is EIP712Domain: only the domain is signed.',
    )
    // The minimal typed message of eth-sig-util's tests.
    const minimal = { domain: {}, types: { EIP712Domain: [] }, primaryType: 'EIP712Domain', message: {} }
    expect((await signTypedData(signer, minimal as never)).digest).toBe(hashTypedData(minimal as never))
  })
})

// ---- properties --------------------------------------------------------------------------

type Desc =
  | { k: 'atom'; type: string }
  | { k: 'array'; of: Desc; length: number | undefined }
  | { k: 'struct'; fields: { name: string; desc: Desc }[] }
interface Pair {
  /** The canonical form (what viem and ethers hash without help). */
  c: unknown
  /** One of the encodings coffer accepts for the same value. */
  e: unknown
}

const upperHex = (hex: string) => `0x${hex.slice(2).toUpperCase()}`
const bitsOf = (type: string) => Number(type.replace(/^u?int/, ''))
const range = (type: string): [bigint, bigint] => {
  const bits = BigInt(bitsOf(type))
  return type.startsWith('u') ? [0n, (1n << bits) - 1n] : [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n]
}

const atomType = fc.oneof(
  fc.constantFrom('bool', 'string', 'address', 'bytes'),
  fc.integer({ min: 1, max: 32 }).map((n) => `bytes${n}`),
  fc.tuple(fc.constantFrom('uint', 'int'), fc.integer({ min: 1, max: 32 })).map(([base, n]) => `${base}${n * 8}`),
)
const fieldName = fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,6}$/)
const { struct: structDesc } = fc.letrec<{ desc: Desc; struct: Desc }>((tie) => ({
  desc: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'typed-data' },
    atomType.map((type): Desc => ({ k: 'atom', type })),
    fc.record({ k: fc.constant('array' as const), of: tie('desc'), length: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }) }),
    tie('struct'),
  ),
  struct: fc.record({
    k: fc.constant('struct' as const),
    fields: fc.uniqueArray(fc.record({ name: fieldName, desc: tie('desc') }), { minLength: 1, maxLength: 4, selector: (f) => f.name }),
  }),
}))

function integerPair(type: string, n: bigint): fc.Arbitrary<Pair> {
  const encodings: unknown[] = [n, n.toString()]
  if (n >= 0n) encodings.push(`0x${n.toString(16)}`, `0x${n.toString(16).toUpperCase()}`)
  if (n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)) encodings.push(Number(n))
  return fc.constantFrom(...encodings).map((e) => ({ c: n, e }))
}

function atomPair(type: string): fc.Arbitrary<Pair> {
  if (type === 'bool') return fc.boolean().map((b) => ({ c: b, e: b }))
  if (type === 'string') return fc.string({ unit: 'binary', maxLength: 12 }).map((s) => ({ c: s, e: s }))
  if (type === 'address') {
    return fc.uint8Array({ minLength: 20, maxLength: 20 }).chain((b) => {
      const lower = bytesToHex(b)
      return fc.constantFrom(lower, getAddress(lower), upperHex(lower)).map((e) => ({ c: getAddress(lower), e }))
    })
  }
  if (type.startsWith('bytes')) {
    const size = type === 'bytes' ? undefined : Number(type.slice(5))
    return fc.uint8Array({ minLength: size ?? 0, maxLength: size ?? 40 }).chain((b) => {
      const hex = bytesToHex(b)
      return fc.constantFrom<unknown>(hex, upperHex(hex), b).map((e) => ({ c: hex, e }))
    })
  }
  const [min, max] = range(type)
  return fc.bigInt({ min, max }).chain((n) => integerPair(type, n))
}

function valuePair(d: Desc): fc.Arbitrary<Pair> {
  if (d.k === 'atom') return atomPair(d.type)
  if (d.k === 'array') {
    return fc
      .array(valuePair(d.of), { minLength: d.length ?? 0, maxLength: d.length ?? 3 })
      .map((items) => ({ c: items.map((x) => x.c), e: items.map((x) => x.e) }))
  }
  return fc.tuple(...d.fields.map((f) => valuePair(f.desc))).map((values) => ({
    c: Object.fromEntries(d.fields.map((f, i) => [f.name, values[i]!.c])),
    e: Object.fromEntries(d.fields.map((f, i) => [f.name, values[i]!.e])),
  }))
}

/** `types` for a root struct: S0 is the root, S1… its nested structs. */
function compile(root: Desc): Record<string, { name: string; type: string }[]> {
  const types: Record<string, { name: string; type: string }[]> = {}
  const typeOf = (d: Desc): string => {
    if (d.k === 'atom') return d.type
    if (d.k === 'array') return `${typeOf(d.of)}[${d.length ?? ''}]`
    const name = `S${Object.keys(types).length}`
    types[name] = []
    types[name] = d.fields.map((f) => ({ name: f.name, type: typeOf(f.desc) }))
    return name
  }
  typeOf(root)
  return types
}

const DOMAIN_DESCS: Record<string, Desc> = {
  name: { k: 'atom', type: 'string' },
  version: { k: 'atom', type: 'string' },
  chainId: { k: 'atom', type: 'uint256' },
  verifyingContract: { k: 'atom', type: 'address' },
  salt: { k: 'atom', type: 'bytes32' },
}
const domainPair = fc.subarray(Object.keys(DOMAIN_DESCS)).chain((keys) =>
  fc.tuple(...keys.map((k) => valuePair(DOMAIN_DESCS[k]!))).map((values) => ({
    c: Object.fromEntries(keys.map((k, i) => [k, values[i]!.c])),
    e: Object.fromEntries(keys.map((k, i) => [k, values[i]!.e])),
  })),
)

interface Sample {
  desc: Desc
  types: Record<string, { name: string; type: string }[]>
  domain: Pair
  message: Pair
}
const sample: fc.Arbitrary<Sample> = structDesc.chain((desc) =>
  fc.record({ desc: fc.constant(desc), types: fc.constant(compile(desc)), domain: domainPair, message: valuePair(desc) }),
)
const canonical = (s: Sample) =>
  ({ domain: s.domain.c, types: s.types, primaryType: 'S0', message: s.message.c }) as unknown as TypedDataDefinition
const encoded = (s: Sample) =>
  ({ domain: s.domain.e, types: s.types, primaryType: 'S0', message: s.message.e }) as unknown as TypedDataDefinition

describe('properties', () => {
  it('random valid values of random types sign as their canonical form (viem and ethers agree) and recover to the signer', async () => {
    await fc.assert(
      fc.asyncProperty(sample, async (s) => {
        const sig = await signTypedData(signer, encoded(s))
        expect(sig.digest).toBe(hashTypedData(canonical(s)))
        expect(sig.digest).toBe(TypedDataEncoder.hash(s.domain.c as never, s.types, s.message.c as never))
        expect(await recoverTypedDataAddress({ ...canonical(s), signature: sig.signature })).toBe(signer.address)
      }),
      { numRuns: 150 },
    )
  })

  type Site = { path: (string | number)[]; desc: Desc; value: unknown }
  type Mutation = { op: 'set'; value: unknown; at?: string } | { op: 'delete'; key: string } | { op: 'extra' }

  function sites(desc: Desc, value: unknown, path: (string | number)[], out: Site[]): Site[] {
    out.push({ path, desc, value })
    if (desc.k === 'array') (value as unknown[]).forEach((v, i) => sites(desc.of, v, [...path, i], out))
    if (desc.k === 'struct') for (const f of desc.fields) sites(f.desc, (value as Record<string, unknown>)[f.name], [...path, f.name], out)
    return out
  }

  const SHAPES: unknown[] = [null, true, {}, [], 1.5, NaN, '', 'a', '0x', '0x0', 10, -1, 10n, new Uint8Array(3)]
  function badFor(site: Site): fc.Arbitrary<Mutation> {
    const set = (a: fc.Arbitrary<unknown>) => a.map((value): Mutation => ({ op: 'set', value }))
    const d = site.desc
    if (d.k === 'struct') {
      return fc.oneof(
        fc.constantFrom(...d.fields.map((f): Mutation => ({ op: 'delete', key: f.name }))),
        fc.constant<Mutation>({ op: 'extra' }),
        set(fc.constantFrom(null, [], 'S', 7, new Uint8Array(1))),
      )
    }
    if (d.k === 'array') {
      const wrongLength =
        d.length !== undefined ? [(site.value as unknown[]).slice(1), [...(site.value as unknown[]), (site.value as unknown[])[0]]] : []
      return set(fc.constantFrom<unknown>('[]', {}, null, 5, new Uint8Array(2), ...wrongLength))
    }
    const t = d.type
    if (t === 'bool') return set(fc.constantFrom('true', 'false', 0, 1, null, '', 'yes'))
    if (t === 'string') return set(fc.constantFrom(5, null, true, new Uint8Array(1), 'x\uDC00', 5n))
    if (t === 'address') {
      return set(
        fc.oneof(
          fc
            .uint8Array({ minLength: 0, maxLength: 30 })
            .filter((b) => b.length !== 20)
            .map(bytesToHex),
          fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => bytesToHex(b).slice(2)),
          // A checksummed address with the case of one letter flipped.
          fc
            .uint8Array({ minLength: 20, maxLength: 20 })
            .map((b) => getAddress(bytesToHex(b)))
            .filter((a) => /[a-fA-F].*[a-fA-F]/.test(a.slice(2)))
            .chain((a) =>
              fc
                .constantFrom(...[...a].flatMap((ch, i) => (i > 1 && /[a-fA-F]/.test(ch) ? [i] : [])))
                .map((i) => {
                  const flipped = a[i] === a[i]!.toUpperCase() ? a[i]!.toLowerCase() : a[i]!.toUpperCase()
                  return a.slice(0, i) + flipped + a.slice(i + 1)
                })
                .filter((x) => x.toLowerCase() !== x && x.slice(2).toUpperCase() !== x.slice(2)),
            ),
          fc.constantFrom(...SHAPES),
        ),
      )
    }
    if (t.startsWith('bytes')) {
      const size = t === 'bytes' ? undefined : Number(t.slice(5))
      const wrong =
        size === undefined
          ? fc.uint8Array({ maxLength: 10 }).map((b) => `${bytesToHex(b)}a`) // odd length
          : fc.oneof(
              fc
                .uint8Array({ maxLength: 33 })
                .filter((b) => b.length !== size)
                .chain((b) => fc.constantFrom<unknown>(bytesToHex(b), b)),
              fc.constantFrom(`${bytesToHex(new Uint8Array(size))}0`),
            )
      return set(
        fc.oneof(
          wrong,
          fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !s.startsWith('0x')),
          fc.constantFrom(null, 1, -1, 10n, true, [1]),
        ),
      )
    }
    const [min, max] = range(t)
    const outside = fc.oneof(fc.bigInt({ min: max + 1n, max: max * 4n + 4n }), fc.bigInt({ min: min * 4n - 4n, max: min - 1n }))
    return set(
      fc.oneof(
        outside.chain((n) => fc.constantFrom<unknown>(n, n.toString(), ...(n > 0n ? [`0x${n.toString(16)}`] : []))),
        fc.constantFrom(
          1.5,
          NaN,
          Infinity,
          -Infinity,
          2 ** 53,
          '',
          ' 1',
          '1 ',
          '+1',
          '1e3',
          '1.0',
          '0b1',
          '0o7',
          '0x',
          '-0x1',
          true,
          null,
          {},
          [],
          new Uint8Array(1),
        ),
      ),
    )
  }

  const render = (path: (string | number)[]) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('')

  function apply(typed: TypedDataDefinition, site: Site, m: Mutation): { typed: unknown; path: string } {
    const copy = structuredClone(typed) as unknown as Record<string, unknown>
    const parent = site.path
      .slice(0, -1)
      .reduce<Record<string | number, unknown>>((o, k) => o[k] as Record<string | number, unknown>, copy as never)
    const last = site.path[site.path.length - 1]!
    const target = parent[last] as Record<string, unknown>
    if (m.op === 'set') parent[last] = m.value
    if (m.op === 'delete') delete target[m.key]
    if (m.op === 'extra') target.notDeclaredField = 1
    return { typed: copy, path: m.op === 'delete' ? `${render(site.path)}.${m.key}` : render(site.path) }
  }

  it('a random mutation (wrong length, out of range, wrong type, missing or extra field) is refused with an InvalidArgumentError naming its path', async () => {
    const mutated = sample.chain((s) => {
      const all = [
        ...sites(s.desc, s.message.e, ['message'], []),
        ...Object.keys(s.domain.e as object).map((k) => ({
          path: ['domain', k],
          desc: DOMAIN_DESCS[k]!,
          value: (s.domain.e as Record<string, unknown>)[k],
        })),
      ]
      return fc.constantFrom(...all).chain((site) => badFor(site).map((m) => ({ s, site, m })))
    })
    await fc.assert(
      fc.asyncProperty(mutated, async ({ s, site, m }) => {
        const { typed, path } = apply(encoded(s), site, m)
        const error = await refusal(signTypedData(signer, typed as never))
        expect(error.details.path).toBe(path)
      }),
      { numRuns: 400 },
    )
  })

  it('any value for any atomic type is either accepted as its canonical form or refused with an InvalidArgumentError', async () => {
    const anyValue = fc.oneof(
      fc.anything({ withBigInt: true, withTypedArray: true, withNullPrototype: true }),
      fc.string(),
      fc.bigInt(),
      fc.stringMatching(/^-?(0x)?[0-9a-fA-F]{0,70}$/),
    )
    await fc.assert(
      fc.property(atomType, anyValue, (type, value) => {
        let checked: TypedDataDefinition
        try {
          checked = checkTypedData(one(type, value))
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidArgumentError)
          return
        }
        const data = (checked.message as { data: unknown }).data
        if (type.includes('int')) {
          const [min, max] = range(type)
          expect(typeof data === 'bigint' && data >= min && data <= max).toBe(true)
        } else if (type === 'address') expect(data).toMatch(/^0x[0-9a-f]{40}$/)
        else if (type === 'bytes') expect(data).toMatch(/^0x([0-9a-f]{2})*$/)
        else if (type.startsWith('bytes')) expect(data).toMatch(new RegExp(`^0x[0-9a-f]{${2 * Number(type.slice(5))}}$`))
        else expect(typeof data).toBe(type === 'bool' ? 'boolean' : 'string')
      }),
      { numRuns: 2000 },
    )
  })
})
