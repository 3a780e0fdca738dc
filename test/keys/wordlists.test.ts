// The front-coded English wordlist (src/keys/wordlists/english.ts) against the published file:
// bitcoin/bips bip-0039/bip-0039-wordlists.md gives english.txt's SHA-256
// (2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda, words joined by "\n" with a
// final "\n"), and @scure/bip39 ships its own copy.
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { wordlist as scureEnglish } from '@scure/bip39/wordlists/english'
import { describe, expect, it } from 'vitest'
import { english, generateMnemonic, mnemonicToEntropy } from 'coffer/keys'

describe('english wordlist (front-coded)', () => {
  it('decodes to the published english.txt (SHA-256 from BIP-39)', () => {
    const file = `${english.words.join('\n')}\n`
    expect(bytesToHex(sha256(new TextEncoder().encode(file)))).toBe('2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda')
    expect(english.words).toHaveLength(2048)
  })

  it('is word for word @scure/bip39 english', () => {
    expect([...english.words]).toEqual(scureEnglish)
  })

  it('cannot be changed by a caller', () => {
    expect(Object.isFrozen(english.words)).toBe(true)
    expect(() => (english.words as string[]).push('x')).toThrow(TypeError)
  })

  it('round-trips entropy through a phrase (BIP-39 vector: 0x7f… → legal winner …)', () => {
    // trezor/python-mnemonic vectors.json, english[1].
    const entropy = new Uint8Array(16).fill(0x7f)
    expect(mnemonicToEntropy('legal winner thank year wave sausage worth useful legal winner thank yellow')).toEqual(entropy)
    expect(
      generateMnemonic()
        .split(' ')
        .every((w) => english.words.includes(w)),
    ).toBe(true)
  })
})
