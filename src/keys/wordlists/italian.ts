import { wordlist } from '@scure/bip39/wordlists/italian'
import type { Wordlist } from './wordlist.js'

/** BIP-39 Italian wordlist. */
export const italian: Wordlist = { language: 'italian', words: wordlist }
