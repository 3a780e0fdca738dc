import { wordlist } from '@scure/bip39/wordlists/english'
import type { Wordlist } from './wordlist.js'

/** BIP-39 English wordlist (the default everywhere). */
export const english: Wordlist = { language: 'english', words: wordlist }
