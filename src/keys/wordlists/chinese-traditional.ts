import { wordlist } from '@scure/bip39/wordlists/traditional-chinese'
import type { Wordlist } from './wordlist.js'

/** BIP-39 Chinese (Traditional) wordlist. */
export const chineseTraditional: Wordlist = { language: 'chinese-traditional', words: wordlist }
