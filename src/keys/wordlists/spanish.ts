import { wordlist } from '@scure/bip39/wordlists/spanish'
import type { Wordlist } from './wordlist.js'

/** BIP-39 Spanish wordlist. */
export const spanish: Wordlist = { language: 'spanish', words: wordlist }
