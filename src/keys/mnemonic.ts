/**
 * BIP-39 mnemonics: generate, validate, convert to and from entropy, and stretch to a
 * seed. Phrases are NFKD-normalised, case-folded and whitespace-collapsed before use
 * (so "Abandon  abandon …" and Japanese phrases joined by U+3000 work), and every phrase
 * is validated — word count, wordlist, checksum — before a seed is made from it.
 * Errors say which word position failed, never which word.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { assertOneOf, assertOptions, describe } from '../core/assert.js'
import { InvalidArgumentError, InvalidEntropyError, InvalidMnemonicError } from '../core/errors.js'
import { pbkdf2 } from './pbkdf2.js'
import { english } from './wordlists/english.js'
import type { Wordlist } from './wordlists/wordlist.js'

/** Word counts BIP-39 defines. */
export type MnemonicLength = 12 | 15 | 18 | 21 | 24
const WORD_COUNTS: readonly MnemonicLength[] = [12, 15, 18, 21, 24]
const ENTROPY_LENGTHS = [16, 20, 24, 28, 32]
const MAX_PHRASE_LENGTH = 1024
const MAX_PASSPHRASE_LENGTH = 1024

/** Options naming the wordlist; English when absent. */
export interface LanguageOptions {
  /** A wordlist exported by `coffer/keys` (`english`, `japanese`, …). Default `english`. */
  language?: Wordlist
}

/** Options of {@link generateMnemonic}. */
export interface GenerateMnemonicOptions extends LanguageOptions {
  /** Number of words; 12 (128 bits) by default, 24 for 256 bits. */
  words?: MnemonicLength
}

/** Options of {@link mnemonicToSeed}. */
export interface MnemonicToSeedOptions extends LanguageOptions {
  /** The optional BIP-39 passphrase ("25th word"); NFKD-normalised, not trimmed. */
  passphrase?: string
}

const indexCache = new WeakMap<readonly string[], Map<string, number>>()

function wordlistOf(options: LanguageOptions): Wordlist {
  const language = options.language ?? english
  if (
    language === null ||
    typeof language !== 'object' ||
    !Array.isArray(language.words) ||
    language.words.length !== 2048 ||
    typeof language.language !== 'string'
  ) {
    throw new InvalidArgumentError('language must be a BIP-39 wordlist exported by coffer/keys (english, japanese, …).', {
      details: { got: describe(language) },
    })
  }
  return language
}

function indexOf(wordlist: Wordlist): Map<string, number> {
  let index = indexCache.get(wordlist.words)
  if (!index) {
    index = new Map(wordlist.words.map((w, i) => [w, i]))
    indexCache.set(wordlist.words, index)
  }
  return index
}

/**
 * Splits a phrase into canonical words: NFKD, lower case, any run of whitespace
 * (including U+3000) as one separator. Checks count and membership; not the checksum.
 */
function canonicalWords(phrase: unknown, wordlist: Wordlist): string[] {
  if (typeof phrase !== 'string') {
    throw new InvalidMnemonicError(`Mnemonic must be a string, got ${describe(phrase)}.`)
  }
  if (phrase.length > MAX_PHRASE_LENGTH) {
    throw new InvalidMnemonicError('Mnemonic is too long to be a BIP-39 phrase.', { details: { length: phrase.length } })
  }
  const trimmed = phrase.normalize('NFKD').trim().toLowerCase()
  const words = trimmed === '' ? [] : trimmed.split(/\s+/u)
  if (!(WORD_COUNTS as readonly number[]).includes(words.length)) {
    throw new InvalidMnemonicError(`Mnemonic must have 12, 15, 18, 21 or 24 words, got ${words.length}.`, {
      details: { reason: 'word-count', wordCount: words.length },
    })
  }
  const index = indexOf(wordlist)
  const unknown = words.findIndex((w) => !index.has(w))
  if (unknown >= 0) {
    throw new InvalidMnemonicError(`Word ${unknown + 1} of the mnemonic is not in the ${wordlist.language} wordlist.`, {
      details: { reason: 'unknown-word', position: unknown + 1, language: wordlist.language },
    })
  }
  return words
}

/**
 * BIP-39's bit layout, on the word indices coffer already looked up (no second wordlist map):
 * 11 bits per word, the entropy first, then its checksum, the first ENT/32 bits of
 * SHA-256(entropy). Returns the entropy, or undefined when the checksum does not match.
 */
function indicesToEntropy(indices: readonly number[]): Uint8Array | undefined {
  const checksumBits = indices.length / 3
  const entropyBits = indices.length * 11 - checksumBits
  const entropy = new Uint8Array(entropyBits / 8)
  let checksum = 0
  for (let bit = 0; bit < indices.length * 11; bit++) {
    const set = ((indices[Math.floor(bit / 11)] as number) >> (10 - (bit % 11))) & 1
    if (bit < entropyBits) entropy[bit >> 3]! |= set << (7 - (bit & 7))
    else checksum = (checksum << 1) | set
  }
  if ((sha256(entropy)[0] as number) >> (8 - checksumBits) === checksum) return entropy
  entropy.fill(0)
  return undefined
}

/** The words of `entropy` (16 to 32 bytes, a multiple of 4), Japanese joined by U+3000 as BIP-39 shows it. */
function entropyToWords(entropy: Uint8Array, wordlist: Wordlist): string {
  const entropyBits = entropy.length * 8
  const hash = sha256(entropy)
  const indices = new Array<number>((entropyBits + entropyBits / 32) / 11).fill(0)
  for (let bit = 0; bit < indices.length * 11; bit++) {
    const byte = bit < entropyBits ? (entropy[bit >> 3] as number) : (hash[(bit - entropyBits) >> 3] as number)
    const at = Math.floor(bit / 11)
    indices[at] = ((indices[at] as number) << 1) | ((byte >> (7 - (bit & 7))) & 1)
  }
  hash.fill(0)
  return indices.map((i) => wordlist.words[i] as string).join(wordlist.language === 'japanese' ? '\u3000' : ' ')
}

/** Returns the entropy, or throws if the phrase is not a valid mnemonic in `wordlist`. */
function decode(phrase: unknown, wordlist: Wordlist): { words: string[]; entropy: Uint8Array } {
  const words = canonicalWords(phrase, wordlist)
  const index = indexOf(wordlist)
  const entropy = indicesToEntropy(words.map((w) => index.get(w) as number))
  if (!entropy) {
    throw new InvalidMnemonicError('Mnemonic checksum does not match: a word is wrong or out of order.', {
      details: { reason: 'checksum', wordCount: words.length, language: wordlist.language },
    })
  }
  return { words, entropy }
}

/**
 * Generates a new mnemonic from the platform CSPRNG (`crypto.getRandomValues`).
 * @example generateMnemonic({ words: 24 })
 */
export function generateMnemonic(options?: GenerateMnemonicOptions): string {
  const opts = assertOptions(options)
  const words = assertOneOf(opts.words ?? 12, 'words', WORD_COUNTS)
  const wordlist = wordlistOf(opts)
  const entropy = randomBytes((words / 3) * 4)
  try {
    return entropyToWords(entropy, wordlist)
  } finally {
    entropy.fill(0)
  }
}

/** True if `phrase` is a valid BIP-39 mnemonic (count, words, checksum) in the wordlist. Never throws. */
export function validateMnemonic(phrase: string, options?: LanguageOptions): boolean {
  try {
    decode(phrase, wordlistOf(assertOptions(options)))
    return true
  } catch {
    return false
  }
}

/**
 * Encodes 16, 20, 24, 28 or 32 bytes of entropy as a mnemonic.
 * @throws InvalidEntropyError
 */
export function entropyToMnemonic(entropy: Uint8Array, options?: LanguageOptions): string {
  const wordlist = wordlistOf(assertOptions(options))
  if (!(entropy instanceof Uint8Array) || !ENTROPY_LENGTHS.includes(entropy.length)) {
    throw new InvalidEntropyError(`Entropy must be a Uint8Array of 16, 20, 24, 28 or 32 bytes, got ${describe(entropy)}.`)
  }
  return entropyToWords(entropy, wordlist)
}

/**
 * Decodes a mnemonic back to its entropy.
 * @throws InvalidMnemonicError
 */
export function mnemonicToEntropy(phrase: string, options?: LanguageOptions): Uint8Array {
  return decode(phrase, wordlistOf(assertOptions(options))).entropy
}

/**
 * Validates a mnemonic and stretches it (PBKDF2-HMAC-SHA512, 2,048 rounds, salt
 * "mnemonic" + passphrase, both NFKD) to the 64-byte BIP-39 seed. Runs natively
 * (WebCrypto) where the runtime has it.
 *
 * The phrase is canonicalised first (lower case, single spaces), so stray spaces or
 * capitals give the seed of the phrase the user meant.
 * @throws InvalidMnemonicError, InvalidArgumentError
 */
export async function mnemonicToSeed(phrase: string, options?: MnemonicToSeedOptions): Promise<Uint8Array> {
  const opts = assertOptions(options)
  const wordlist = wordlistOf(opts)
  const passphrase = opts.passphrase ?? ''
  if (typeof passphrase !== 'string') {
    throw new InvalidArgumentError(`passphrase must be a string, got ${describe(passphrase)}.`)
  }
  if (passphrase.length > MAX_PASSPHRASE_LENGTH) {
    throw new InvalidArgumentError(`passphrase is longer than ${MAX_PASSPHRASE_LENGTH} characters.`)
  }
  const { words, entropy } = decode(phrase, wordlist)
  entropy.fill(0)
  const encoder = new TextEncoder()
  const password = encoder.encode(words.join(' '))
  const salt = encoder.encode(`mnemonic${passphrase}`.normalize('NFKD'))
  try {
    return await pbkdf2('SHA-512', password, salt, 2048, 64)
  } finally {
    password.fill(0)
    salt.fill(0)
  }
}
