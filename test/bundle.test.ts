/** Bundle hygiene from source: English-only apps carry one wordlist; imports stay tree-shakeable. */
import { describe, expect, it } from 'vitest'
import { bundle } from '../bench/bundle/size.js'

const FOREIGN_FIRST_WORDS = ['あいこくしん', 'ábaco', '가격', 'abaisser', 'abaco', 'abdikace', 'abacate', '的']

describe('bundles', () => {
  it('an English-only app carries English and none of the other nine wordlists', async () => {
    const { code } = await bundle('coffer-addresses')
    expect(code).toContain('abandon')
    for (const word of FOREIGN_FIRST_WORDS) expect(code).not.toContain(word)
  })

  it('the EVM-signing path carries no Bitcoin, Solana, Tron or viem code', async () => {
    const { code } = await bundle('coffer-sign')
    expect(code).not.toMatch(/viem@|TapTweak|BIP0340/)
    expect(code).not.toContain('ed25519 seed')
    for (const word of FOREIGN_FIRST_WORDS) expect(code).not.toContain(word)
  })

  it('key derivation alone does not pull viem (a Bitcoin-only app carries no EVM client)', async () => {
    const { code } = await bundle('coffer-addresses')
    expect(code).not.toMatch(/viem@|eth_sendRawTransaction|multicall/)
  })

  it('a Bitcoin-only app does not pull viem', async () => {
    const { code } = await bundle('bitcoin-only')
    expect(code).toContain('bc1')
    expect(code).not.toMatch(/viem@|eth_sendRawTransaction|multicall3/i)
  })

  // The wallet and the portfolio reach every family's descriptor; the adapters (which the CLI's
  // per-family configuration loads) must not come along in a one-file bundle.
  it.each(['subpath-coffer', 'subpath-portfolio'])('%s carries no chain adapter the app did not import', async (entry) => {
    const { code } = await bundle(entry)
    // Strings only an adapter holds: EVM and Solana RPC methods, TronGrid's and Esplora's paths.
    const found =
      /eth_sendRawTransaction|getSignaturesForAddress|\/wallet\/broadcasthex|\/wallet\/getaccountresource|\/address\/[^"]*\/utxo/.exec(code)
    expect(found?.[0]).toBeUndefined()
  })
})
