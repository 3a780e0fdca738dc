/**
 * The ten BIP-39 wordlists, one module each so a bundle carries only those it uses.
 * Pass one as `language`: `generateMnemonic({ language: japanese })`.
 * @module
 */
export type { Wordlist, WordlistLanguage } from './wordlist.js'
export { english } from './english.js'
export { japanese } from './japanese.js'
export { korean } from './korean.js'
export { spanish } from './spanish.js'
export { chineseSimplified } from './chinese-simplified.js'
export { chineseTraditional } from './chinese-traditional.js'
export { french } from './french.js'
export { italian } from './italian.js'
export { czech } from './czech.js'
export { portuguese } from './portuguese.js'
