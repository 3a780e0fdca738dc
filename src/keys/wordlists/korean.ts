import { wordlist } from '@scure/bip39/wordlists/korean'
import type { Wordlist } from './wordlist.js'

/** BIP-39 Korean wordlist. */
export const korean: Wordlist = { language: 'korean', words: wordlist }
