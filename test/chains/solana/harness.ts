/**
 * The Solana harness of the ChainAdapter conformance suite (test/chains/contract.ts): the local
 * JSON-RPC server over litesvm (the real SVM: signatures, fees, rent, the token programs), fresh
 * vault accounts, the server's own fault layer for the money-safety cases. Slots advance only on
 * `mine()`, so a sent transaction stays `processed` (pending) until then. Solana has no
 * replacement by fee: the replaceable node is unavailable.
 *
 * The node side reads the server's ledger directly and the transactions through
 * @solana/web3.js v1 — never through the adapter.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { Connection } from '@solana/web3.js'
import { base58 } from '@scure/base'
import type { SolanaFaultRule } from '../../support/solana-server.js'
import type { ChainHarness, FaultKind, FaultyNode, HarnessAccount, HarnessContext } from '../contract.js'
import { adapterOn, chainOf, localSolana, solanaSigners } from './helpers.js'

/** Accounts one harness hands out (the suite uses about 40). */
const ACCOUNTS = 64
/** The deadline of the adapter on a node that never answers. */
const SILENT_DEADLINE_MS = 300
const MESSAGE = 'coffer conformance ✓'

const RULES: Record<FaultKind, SolanaFaultRule[]> = {
  'lost-answer': [{ method: 'sendTransaction', when: 'after', fault: { status: 500, body: 'Internal Server Error' }, times: 1 }],
  'lost-everything': [
    { method: 'sendTransaction', when: 'after', fault: { status: 500, body: 'Internal Server Error' } },
    { method: /^(getSignatureStatuses|getTransaction)$/, fault: { status: 503, body: 'unavailable' } },
  ],
  silent: [{ fault: 'hang' }],
}

/**
 * The Solana off-chain message (https://docs.anza.xyz/proposals/off-chain-message-signing),
 * encoded here from the spec for the check (not with the encoder coffer uses).
 */
function offchainMessage(text: string, signer: Uint8Array): Uint8Array[] {
  const body = new TextEncoder().encode(text)
  const domain = new Uint8Array(32)
  const length = new Uint8Array([body.length & 0xff, body.length >> 8])
  const ascii = [...text].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) < 0x7f)
  const signing = new TextEncoder().encode('\xffsolana offchain'.slice(1))
  const header = Uint8Array.from([0xff, ...signing])
  // Version 0 (with the application domain and signers) and the legacy preamble-less version 0 both occur; try both.
  const v0 = Uint8Array.from([...header, 0, ...domain, ascii ? 0 : 1, 1, ...signer, ...length, ...body])
  const legacy = Uint8Array.from([...header, 0, ascii ? 0 : 1, ...length, ...body])
  return [v0, legacy]
}

/** The Solana family on the local litesvm server, sending SOL. */
export const solanaHarness: ChainHarness = {
  name: 'Solana (litesvm behind JSON-RPC)',
  async setup(): Promise<HarnessContext> {
    const { server, adapter } = await localSolana({}, { tokens: ['USDC'] })
    const web3 = new Connection(server.url, 'processed')
    const { signers } = await solanaSigners(ACCOUNTS)
    let next = 0
    const newAccount = async (): Promise<HarnessAccount> => {
      const signer = signers[next++]
      if (!signer) throw new Error(`the Solana harness hands out ${ACCOUNTS} accounts; raise ACCOUNTS`)
      return { from: signer.address, address: signer.address, signer }
    }
    const feePayer = async (signature: string): Promise<string | undefined> => {
      const tx = await web3.getTransaction(signature, { maxSupportedTransactionVersion: 0, commitment: 'confirmed' })
      return tx?.transaction.message.staticAccountKeys[0]?.toBase58()
    }
    const node = {
      adapter,
      newAccount,
      fund: async (address: string, amount: bigint) => void server.airdrop(address, amount),
      mine: async (blocks = 1) => void server.mine(blocks),
      balanceOf: async (address: string) => server.balanceOf(address),
      feePaid: async (hash: string) => {
        const tx = server.transactions().find((t) => t.signature === hash)
        if (!tx) throw new Error(`the server holds no transaction ${hash}`)
        return tx.fee
      },
      sentCount: async (from: string) => {
        let n = 0
        for (const t of server.transactions()) if ((await feePayer(t.signature)) === from) n++
        return n
      },
    }
    return {
      ...node,
      amounts: { fund: 1_000_000_000n, send: 100_000_000n },
      feeFixedAtSigning: true,
      addressesHaveChecksum: false,
      invalidAddresses: [
        '', // empty
        '0x52908400098527886E0F7030069857D2E4169EE7', // another family's address
        'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', // another family's address
        '4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4', // 31 bytes
        '4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T1', // 33 bytes
        '4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB0T', // 0 is not base58
        'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDtIv', // I is not base58
      ],
      unknownHash: base58.encode(new Uint8Array(64).fill(7)),
      roundTrips: {
        adapter,
        count: () => server.requests,
        reset: () => server.resetRequests(),
        // SolanaAdapter.getBalances: every owner and associated token account in one JSON-RPC batch (a second only when answers disagree on the slot).
        balancesMax: () => 2,
      },
      messageToSign: MESSAGE,
      async verifySignature(account, what, signature) {
        if (what !== 'message') return false
        const publicKey = base58.decode(account.address)
        const sig = base58.decode(signature)
        return offchainMessage(MESSAGE, publicKey).some((bytes) => ed25519.verify(sig, bytes, publicKey))
      },
      async faulty(kind): Promise<FaultyNode> {
        const removers = RULES[kind].map((rule) => server.addFault(rule))
        const silent = kind === 'silent'
        const deadlineMs = silent ? SILENT_DEADLINE_MS : 60_000
        const faultyAdapter = adapterOn(server, { deadlineMs, rpc: { retryCount: 1, ...(silent ? { timeoutMs: 60_000 } : {}) } })
        const heal = async () => {
          for (const remove of removers.splice(0)) remove()
        }
        return { adapter: faultyAdapter, deadlineMs, heal, close: heal }
      },
      replaceable: async () => ({
        unavailable: `Solana (${chainOf(server)}) has no replacement by fee: a stuck transaction expires with its blockhash`,
      }),
      teardown: () => server.stop(),
    }
  },
}
