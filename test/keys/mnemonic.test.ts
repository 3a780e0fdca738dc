import { pbkdf2Async } from '@noble/hashes/pbkdf2.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import * as scure from '@scure/bip39'
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  chineseSimplified,
  chineseTraditional,
  czech,
  english,
  entropyToMnemonic,
  french,
  generateMnemonic,
  InvalidArgumentError,
  InvalidEntropyError,
  InvalidMnemonicError,
  italian,
  japanese,
  korean,
  mnemonicToEntropy,
  mnemonicToSeed,
  portuguese,
  spanish,
  validateMnemonic,
  HDNode,
} from 'coffer/keys'
import englishVectors from '../vectors/bip39-english.json'
import japaneseVectors from '../vectors/bip39-japanese.json'
import spanishVectors from '../vectors/bip39-spanish.json'
import invalidVectors from '../vectors/bip39-invalid.json'
import { pbkdf2 } from '../../src/keys/pbkdf2.js'
import { nodeCrypto } from '../../src/core/runtime.js'

const ALL = [english, japanese, korean, spanish, chineseSimplified, chineseTraditional, french, italian, czech, portuguese]

describe.each([
  ['english', english, englishVectors.vectors.map((v) => ({ ...v, passphrase: englishVectors.passphrase }))],
  ['japanese', japanese, japaneseVectors.vectors],
  ['spanish', spanish, spanishVectors.vectors],
])('BIP-39 %s vectors', (_name, language, vectors) => {
  it.each(vectors.map((v, i) => [i, v] as const))('case %i: entropy ↔ mnemonic ↔ seed', async (_i, v) => {
    expect(entropyToMnemonic(hexToBytes(v.entropy), { language }).normalize('NFKD')).toBe(v.mnemonic.normalize('NFKD'))
    expect(bytesToHex(mnemonicToEntropy(v.mnemonic, { language }))).toBe(v.entropy)
    expect(validateMnemonic(v.mnemonic, { language })).toBe(true)
    const seed = await mnemonicToSeed(v.mnemonic, { passphrase: v.passphrase, language })
    expect(bytesToHex(seed)).toBe(v.seed)
    if ('bip32_xprv' in v && v.bip32_xprv) expect(HDNode.fromSeed(seed).toXprv()).toBe(v.bip32_xprv)
  })
})

describe('Japanese phrases', () => {
  const v = japaneseVectors.vectors[0] as (typeof japaneseVectors.vectors)[number]
  it('joined by U+3000 or by ASCII spaces give the same seed', async () => {
    const ascii = v.mnemonic.replaceAll('\u3000', ' ')
    expect(bytesToHex(await mnemonicToSeed(ascii, { passphrase: v.passphrase, language: japanese }))).toBe(v.seed)
  })
  it('are generated joined by U+3000', () => {
    expect(generateMnemonic({ language: japanese })).toContain('\u3000')
  })
})

describe('canonicalisation', () => {
  const phrase = 'legal winner thank year wave sausage worth useful legal winner thank yellow'
  it('ignores stray whitespace and capitals, giving the seed of the phrase meant', async () => {
    const messy = `  Legal   WINNER thank\tyear\nwave sausage worth useful legal winner thank yellow `
    expect(bytesToHex(await mnemonicToSeed(messy))).toBe(bytesToHex(await mnemonicToSeed(phrase)))
  })
  it('NFKD-normalises the passphrase (NFC and NFD spellings agree)', async () => {
    const nfc = 'caf\u00e9'
    const nfd = 'cafe\u0301'
    expect(bytesToHex(await mnemonicToSeed(phrase, { passphrase: nfc }))).toBe(
      bytesToHex(await mnemonicToSeed(phrase, { passphrase: nfd })),
    )
  })
  it('accepts Spanish words typed with composed accents (NFC)', () => {
    const v = spanishVectors.vectors[0] as (typeof spanishVectors.vectors)[number]
    expect(validateMnemonic(v.mnemonic.normalize('NFC'), { language: spanish })).toBe(true)
  })
})

describe('PBKDF2 backends', () => {
  afterEach(() => vi.unstubAllGlobals())
  const v = englishVectors.vectors[5] as (typeof englishVectors.vectors)[number]

  it('node:crypto, WebCrypto and the pure-JS fallback give the official seed', async () => {
    const native = await mnemonicToSeed(v.mnemonic, { passphrase: 'TREZOR' })
    // No node:crypto: WebCrypto.
    vi.stubGlobal('process', { ...process, getBuiltinModule: undefined })
    expect(nodeCrypto()).toBeUndefined()
    const web = await mnemonicToSeed(v.mnemonic, { passphrase: 'TREZOR' })
    // No WebCrypto either: @noble/hashes.
    vi.stubGlobal('crypto', { getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto) })
    const fallback = await mnemonicToSeed(v.mnemonic, { passphrase: 'TREZOR' })
    for (const seed of [native, web, fallback]) expect(bytesToHex(seed)).toBe(v.seed)
  })

  it('long runs use the thread pool and agree with @noble/hashes', async () => {
    const password = new TextEncoder().encode('correct horse')
    const salt = new Uint8Array(16).fill(9)
    const [native, reference] = await Promise.all([
      pbkdf2('SHA-256', password, salt, 20_000, 32),
      pbkdf2Async(sha256, password, salt, { c: 20_000, dkLen: 32 }),
    ])
    expect(bytesToHex(native)).toBe(bytesToHex(reference))
  })
})

describe('invalid mnemonics', () => {
  it.each(invalidVectors.invalid.map((v) => [v.reason, v.mnemonic]))('%s is rejected by every entry point', async (_reason, mnemonic) => {
    expect(validateMnemonic(mnemonic)).toBe(false)
    expect(() => mnemonicToEntropy(mnemonic)).toThrow(InvalidMnemonicError)
    await expect(mnemonicToSeed(mnemonic)).rejects.toThrow(InvalidMnemonicError)
  })

  it('says which position is wrong, never which word', async () => {
    const secretish = 'abandon abandon abandon zzsecretzz abandon abandon abandon abandon abandon abandon abandon about'
    const error = await mnemonicToSeed(secretish).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidMnemonicError)
    const e = error as InvalidMnemonicError
    expect(e.code).toBe('INVALID_MNEMONIC')
    expect(e.details).toMatchObject({ reason: 'unknown-word', position: 4 })
    expect(`${e.message} ${JSON.stringify(e.details)} ${String(e.stack)}`).not.toMatch(/zzsecretzz|abandon|about/)
  })

  it('reports a checksum failure without quoting the phrase', async () => {
    const phrase = 'zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo'
    const e = (await mnemonicToSeed(phrase).catch((x: unknown) => x)) as InvalidMnemonicError
    expect(e.details.reason).toBe('checksum')
    expect(e.message).not.toContain('zoo')
  })

  it('is checked against the chosen language', () => {
    const v = englishVectors.vectors[0] as (typeof englishVectors.vectors)[number]
    expect(validateMnemonic(v.mnemonic, { language: italian })).toBe(false)
  })

  it('rejects a wrong word count, non-strings and absurd lengths', async () => {
    expect(validateMnemonic('')).toBe(false)
    expect(validateMnemonic(42 as never)).toBe(false)
    expect(() => mnemonicToEntropy('abandon '.repeat(500))).toThrow(/too long/)
    await expect(mnemonicToSeed('abandon '.repeat(13))).rejects.toThrow(/12, 15, 18, 21 or 24 words, got 13/)
  })
})

describe('generateMnemonic', () => {
  it.each([12, 15, 18, 21, 24] as const)('makes a valid %i-word phrase', (words) => {
    const phrase = generateMnemonic({ words })
    expect(phrase.split(' ')).toHaveLength(words)
    expect(validateMnemonic(phrase)).toBe(true)
  })
  it('works in all ten languages', () => {
    for (const language of ALL) expect(validateMnemonic(generateMnemonic({ language }), { language })).toBe(true)
  })
  it('draws fresh entropy each time', () => {
    const seen = new Set(Array.from({ length: 50 }, () => generateMnemonic()))
    expect(seen.size).toBe(50)
  })
  it('rejects bad options with typed errors', () => {
    expect(() => generateMnemonic({ words: 13 as never })).toThrow(InvalidArgumentError)
    expect(() => generateMnemonic({ language: 'english' as never })).toThrow(InvalidArgumentError)
    expect(() => generateMnemonic(null as never)).toThrow(InvalidArgumentError)
  })
})

describe('entropyToMnemonic', () => {
  it('rejects entropy of a bad size or type', () => {
    for (const bad of [new Uint8Array(15), new Uint8Array(33), new Uint8Array(0), '00'.repeat(16), [1, 2, 3], null]) {
      expect(() => entropyToMnemonic(bad as never)).toThrow(InvalidEntropyError)
    }
  })
})

describe('properties', () => {
  it('entropy → mnemonic → entropy round-trips in every language', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(16, 20, 24, 28, 32),
        fc.constantFrom(...ALL),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (size, language, bytes) => {
          const entropy = bytes.slice(0, size)
          const phrase = entropyToMnemonic(entropy, { language })
          expect(validateMnemonic(phrase, { language })).toBe(true)
          expect(mnemonicToEntropy(phrase, { language })).toEqual(entropy)
        },
      ),
    )
  })

  it('replacing any one word with another breaks the checksum or changes the entropy', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat(11), fc.nat(2047), (entropy, position, wordIndex) => {
        const words = entropyToMnemonic(entropy).split(' ')
        const replacement = english.words[wordIndex] as string
        fc.pre(words[position] !== replacement)
        words[position] = replacement
        const phrase = words.join(' ')
        if (validateMnemonic(phrase)) expect(mnemonicToEntropy(phrase)).not.toEqual(entropy)
      }),
    )
  })

  // coffer computes BIP-39's bits itself (mnemonic.ts); @scure/bip39 is the oracle.
  it('entropy → words equals @scure/bip39 in every language, and so does the checksum verdict', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(16, 20, 24, 28, 32),
        fc.constantFrom(...ALL),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(fc.nat(2047), { minLength: 24, maxLength: 24 }),
        (size, language, bytes, indices) => {
          const entropy = bytes.slice(0, size)
          expect(entropyToMnemonic(entropy, { language })).toBe(scure.entropyToMnemonic(entropy, language.words as string[]))
          // Random words: about 1 in 2^(ENT/32) passes the checksum; both must agree on which.
          const phrase = indices
            .slice(0, (size / 4) * 3)
            .map((i) => language.words[i])
            .join(' ')
          expect(validateMnemonic(phrase, { language })).toBe(scure.validateMnemonic(phrase, language.words as string[]))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('validateMnemonic never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.anything(), (x) => void expect(typeof validateMnemonic(x as never)).toBe('boolean')))
  })
})
