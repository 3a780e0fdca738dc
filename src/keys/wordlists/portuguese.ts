import { wordlist } from '@scure/bip39/wordlists/portuguese'
import type { Wordlist } from './wordlist.js'

/** BIP-39 Portuguese wordlist. */
export const portuguese: Wordlist = { language: 'portuguese', words: wordlist }
