import { wordlist } from '@scure/bip39/wordlists/french'
import type { Wordlist } from './wordlist.js'

/** BIP-39 French wordlist. */
export const french: Wordlist = { language: 'french', words: wordlist }
