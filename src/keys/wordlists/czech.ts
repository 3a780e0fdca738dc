import { wordlist } from '@scure/bip39/wordlists/czech'
import type { Wordlist } from './wordlist.js'

/** BIP-39 Czech wordlist. */
export const czech: Wordlist = { language: 'czech', words: wordlist }
