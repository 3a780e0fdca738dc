import { wordlist } from '@scure/bip39/wordlists/japanese'
import type { Wordlist } from './wordlist.js'

/** BIP-39 Japanese wordlist; phrases are joined with U+3000 (ideographic space). */
export const japanese: Wordlist = { language: 'japanese', words: wordlist }
