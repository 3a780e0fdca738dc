import { wordlist } from '@scure/bip39/wordlists/simplified-chinese'
import type { Wordlist } from './wordlist.js'

/** BIP-39 Chinese (Simplified) wordlist. */
export const chineseSimplified: Wordlist = { language: 'chinese-simplified', words: wordlist }
