/**
 * The Bitcoin harness of the ChainAdapter conformance suite (test/chains/contract.ts): one local
 * regtest Esplora server (a real ledger, bitcoinjs-lib + libsecp256k1 checking every broadcast)
 * per run, HD accounts of one fresh vault (`from` is the account's output descriptor), and the
 * server's own fault layer for the money-safety cases. The server never mines on its own, so
 * every send stays pending until `mine()`: the replaceable node is the harness's own.
 */
import { HDKey } from '@scure/bip32'
import { Transaction, address as btcAddress, payments } from 'bitcoinjs-lib'
import { bitcoin } from 'coffer/bitcoin'
import { generateMnemonic } from 'coffer/keys'
import type { EsploraServer, FaultRule } from '../../support/esplora-server.js'
import type { ChainHarness, FaultKind, FaultyNode, HarnessAccount, HarnessContext, HarnessNode } from '../contract.js'
import { regtest, vaultWith } from './helpers.js'

/** Addresses per branch (receive, change) the harness counts as an account's; the cases use a few. */
const BRANCH_ADDRESSES = 10
/** The deadline of the adapter on a server that never answers. */
const SILENT_DEADLINE_MS = 300
const POST_TX = { method: 'POST', path: /^\/tx$/ } as const
const GET_TX = { method: 'GET', path: /^\/tx\/[0-9a-f]{64}$/ } as const

/** The fault rules of each kind (the server's fault layer). */
const RULES: Record<FaultKind, FaultRule[]> = {
  'lost-answer': [{ ...POST_TX, when: 'after', fault: { status: 500, body: 'Internal Server Error' }, times: 1 }],
  'lost-everything': [
    { ...POST_TX, when: 'after', fault: { status: 500, body: 'Internal Server Error' } },
    { ...GET_TX, fault: { status: 503, body: 'unavailable' } },
  ],
  silent: [{ fault: 'hang' }],
}

/** The address an output pays, or null (OP_RETURN, bare scripts). */
function payee(script: Uint8Array, server: EsploraServer): string | null {
  try {
    return btcAddress.fromOutputScript(script, server.btcNetwork)
  } catch {
    return null
  }
}

/** tpub / tprv: the versions of a test network's extended keys. */
const TEST_VERSIONS = { public: 0x043587cf, private: 0x04358394 }

/** The P2WPKH addresses of an account's first `BRANCH_ADDRESSES` keys on both branches, derived from its xpub by @scure/bip32 and bitcoinjs-lib. */
function accountAddresses(accountXpub: string, server: EsploraServer): string[] {
  const account = HDKey.fromExtendedKey(accountXpub, TEST_VERSIONS)
  return [0, 1].flatMap((branch) => {
    const node = account.deriveChild(branch)
    return Array.from(
      { length: BRANCH_ADDRESSES },
      (_, i) => payments.p2wpkh({ pubkey: node.deriveChild(i).publicKey!, network: server.btcNetwork }).address!,
    )
  })
}

/** The node side of `server`: funding, mining and reads of its ledger, never through the adapter. */
function ledger(server: EsploraServer, owned: Map<string, ReadonlySet<string>>): Omit<HarnessNode, 'adapter' | 'newAccount'> {
  const addressesOf = (fromOrAddress: string) => owned.get(fromOrAddress) ?? new Set([fromOrAddress])
  return {
    fund: async (address, amount) => void (await server.fund(address, amount)),
    mine: async (blocks = 1) => void server.mine(blocks),
    balanceOf: async (fromOrAddress) => {
      const mine = addressesOf(fromOrAddress)
      return server.utxos().reduce((sum, u) => (u.address !== null && mine.has(u.address) ? sum + u.value : sum), 0n)
    },
    feePaid: async (hash) => {
      const tx = server.transactions().find((t) => t.txid === hash)
      if (!tx) throw new Error(`the server does not hold ${hash}`)
      return tx.fee
    },
    sentCount: async (from) => {
      const mine = addressesOf(from)
      const txs = server.transactions().map((t) => ({ ...t, tx: Transaction.fromHex(t.hex) }))
      const owner = new Map<string, string | null>()
      for (const { txid, tx } of txs) tx.outs.forEach((out, vout) => owner.set(`${txid}:${vout}`, payee(out.script, server)))
      const spendsMine = (tx: Transaction) =>
        tx.ins.some((input) => mine.has(owner.get(`${Buffer.from(input.hash).reverse().toString('hex')}:${input.index}`) ?? ''))
      return txs.filter((t) => !t.synthetic && spendsMine(t.tx)).length
    },
  }
}

/** The Bitcoin family on a regtest Esplora server, sending BTC from HD accounts. */
export const bitcoinHarness: ChainHarness = {
  name: 'Bitcoin (regtest Esplora, HD accounts)',
  async setup(): Promise<HarnessContext> {
    const { server, adapter } = await regtest()
    const { vault, id } = await vaultWith(generateMnemonic())
    const owned = new Map<string, ReadonlySet<string>>()
    let next = 0
    const newAccount = async (): Promise<HarnessAccount> => {
      const signer = await vault.getAccountSigner({ secretId: id, chain: 'bitcoin', network: 'regtest', account: next++ })
      const addresses = accountAddresses(signer.accountXpub, server)
      owned.set(signer.descriptor, new Set(addresses))
      return { from: signer.descriptor, address: addresses[0]!, signer }
    }
    const node: HarnessNode = { adapter, newAccount, ...ledger(server, owned) }
    return {
      ...node,
      amounts: { fund: 100_000n, send: 30_000n },
      feeFixedAtSigning: true,
      invalidAddresses: [
        'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt081', // bech32 checksum broken
        'bcrt1qW508d6qejxtdg4y5r3zarvary0c5xw7kygt080', // mixed case (BIP-173)
        'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', // mainnet
        'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx', // testnet
        '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', // mainnet base58
        '0x52908400098527886E0F7030069857D2E4169EE7', // another family's address
      ],
      unknownHash: 'ab'.repeat(32),
      roundTrips: {
        adapter,
        count: () => server.requests,
        reset: () => server.resetRequests(),
        // Esplora has no multi-address read: the tip (height and hash, 2 requests) and one /address/:a per address.
        balancesMax: (n) => 2 + n,
      },
      async faulty(kind): Promise<FaultyNode> {
        const removers = RULES[kind].map((rule) => server.addFault(rule))
        const silent = kind === 'silent'
        const deadlineMs = silent ? SILENT_DEADLINE_MS : 60_000
        // On the silent server a request itself may wait a minute: only the adapter's deadline bounds a call.
        const faultyAdapter = bitcoin({
          network: 'regtest',
          esploraUrl: server.url,
          deadlineMs,
          esplora: { retryCount: 1, ...(silent ? { timeoutMs: 60_000 } : {}) },
        })
        const heal = async () => {
          for (const remove of removers.splice(0)) remove()
        }
        return { adapter: faultyAdapter, deadlineMs, heal, close: heal }
      },
      replaceable: async () => ({ ...node, close: async () => {} }),
      teardown: () => server.stop(),
    }
  },
}
