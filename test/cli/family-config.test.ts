import { describe, expect, it } from 'vitest'
import type { ChainAdapter } from '../../src/chains/adapter.js'
import { registerChainFamily, type ChainFamily, type FamilyChainConfig, type FamilyCliConfig } from '../../src/chains/family.js'
import type { ChainId } from '../../src/core/caip.js'
import { NotSupportedError } from '../../src/core/errors.js'
import { buildAdapter } from '../../src/cli/chains.js'
import { applyRpcFlags, parseConfig } from '../../src/cli/config.js'

const CHAIN: ChainId = 'clifam:one'
const made: { entry: FamilyChainConfig; offline: boolean }[] = []
const fakeAdapter = { chainId: CHAIN } as unknown as ChainAdapter

/** `{ "name", "clifam": { "url" } }` entries. */
const cli: FamilyCliConfig = {
  entryKey: 'clifam',
  parseEntry(value, where, fail) {
    const body = value.clifam as { url?: unknown }
    if (typeof body !== 'object' || body === null || typeof body.url !== 'string') return fail(`${where}.clifam needs a "url".`)
    return { kind: 'clifam', name: typeof value.name === 'string' ? value.name : CHAIN, chainId: CHAIN, url: body.url }
  },
  withUrls: (entry, urls) => ({ ...entry, url: urls[0] }),
  async createAdapter(entry, options) {
    made.push({ entry, offline: options.offline === true })
    return fakeAdapter
  },
}

const family: ChainFamily = {
  kind: 'clifam',
  namespaces: ['clifam'],
  title: 'Clifam',
  networks: [{ chainId: CHAIN, name: 'one', testnet: true }],
  supports: (chainId) => chainId === CHAIN,
  isValidAddress: () => false,
  accountOptions: () => ({}),
  signer: () => Promise.reject(new NotSupportedError('no keys in this test')),
  accountKeys: () => ({ address: 'x' }),
  cli,
}

describe('the CLI config with a registered chain family', () => {
  it("reads the family's entries by its entry key, beside the built-in ones, and builds its adapter", async () => {
    registerChainFamily(family)
    const config = parseConfig(
      {
        chains: [
          { name: 'mine', clifam: { url: 'http://127.0.0.1:1/' } },
          { name: 'eth', chain: 'eip155:1', rpcUrls: ['http://127.0.0.1:2/'] },
          { bitcoin: { network: 'regtest', esploraUrl: 'http://127.0.0.1:3/' } },
        ],
      },
      'fam.json',
    )
    expect(config.chains.map((c) => [c.kind, c.name])).toEqual([
      ['clifam', 'mine'],
      ['evm', 'eth'],
      ['bitcoin', 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328'],
    ])
    expect(config.chains[0]).toEqual({ kind: 'clifam', name: 'mine', chainId: CHAIN, url: 'http://127.0.0.1:1/' })

    const replaced = applyRpcFlags(config, ['mine=http://127.0.0.1:9999/'])
    expect(replaced.chains[0]).toMatchObject({ url: 'http://127.0.0.1:9999/' })

    expect(await buildAdapter(replaced.chains[0] as FamilyChainConfig, undefined, { offline: true })).toBe(fakeAdapter)
    expect(made).toEqual([{ entry: replaced.chains[0], offline: true }])
  })

  it("passes the CLI's failure to the family's checks", () => {
    registerChainFamily(family)
    expect(() => parseConfig({ chains: [{ clifam: {} }] }, 'fam.json')).toThrow('fam.json: chains[0].clifam needs a "url".')
  })
})
