/**
 * The BIP-39 wordlist type. Each language lives in its own module
 * (`./english.js`, `./japanese.js`, …) because @scure/bip39's wordlist modules count as
 * having side effects for bundlers (their `esm/package.json` has no `sideEffects` field):
 * one module importing all ten would put all ten (~240 KiB) in every bundle.
 * @module
 */

/** Names of the BIP-39 wordlists. */
export type WordlistLanguage =
  | 'english'
  | 'japanese'
  | 'korean'
  | 'spanish'
  | 'chinese-simplified'
  | 'chinese-traditional'
  | 'french'
  | 'italian'
  | 'czech'
  | 'portuguese'

/** A BIP-39 wordlist: 2,048 NFKD-normalised words and the language they belong to. */
export interface Wordlist {
  readonly language: WordlistLanguage
  readonly words: readonly string[]
}
