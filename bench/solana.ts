/**
 * Solana, on the local litesvm JSON-RPC server (test/support/solana-server.ts):
 * - balances of 1,000 owners × (SOL + 2 SPL tokens) = 3,000 reads, coffer beside the floor (one
 *   hand-written JSON-RPC batch of `getMultipleAccounts` over the owners and their associated
 *   token accounts, derived with @solana/kit) and @solana/web3.js v1 (`getMultipleAccountsInfo`
 *   in chunks of 100, in parallel);
 * - signing 1,000 SOL transfers: coffer's `signTransaction` (decodes the message and checks it
 *   against the summary first) beside @solana/kit's own key-pair signer and the raw
 *   @noble/curves ed25519 floor over the same message bytes.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { address, createKeyPairSignerFromPrivateKeyBytes, type Address } from '@solana/kit'
import { findAssociatedTokenPda } from '@solana-program/token'
import { Connection, PublicKey } from '@solana/web3.js'
import { base58, base64 } from '@scure/base'
import { solana, type UnsignedTransaction } from 'coffer/solana'
import { memoryStorage, Vault } from 'coffer/vault'
import { startSolanaServer } from '../test/support/solana-server.js'
import { measureAll, table, timed } from './harness.js'

const OWNERS = 1000
const SIGNATURES = 1000
const TOKEN_PROGRAM = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA'
const ATA_PROGRAM = new PublicKey('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL')
const MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow'

async function benchBalances(): Promise<string> {
  const server = await startSolanaServer({ tokens: ['USDC', 'USDT'] })
  try {
    const owners = Array.from({ length: OWNERS }, () => base58.encode(ed25519.getPublicKey(ed25519.utils.randomPrivateKey())))
    // Every 10th owner holds SOL and both tokens, so the reads find real accounts too.
    for (const [i, owner] of owners.entries()) {
      if (i % 10 !== 0) continue
      server.airdrop(owner, 10_000_000n)
      for (const t of server.tokens) server.mintTo(owner, t.symbol, 1_000_000n)
    }
    server.mine(2)
    const mints = server.tokens.map((t) => t.mint)
    const adapter = solana({ chain: `solana:${server.genesisHash.slice(0, 32)}`, rpcUrls: [server.url], tokens: server.tokens })
    const web3 = new Connection(server.url, 'confirmed')
    const contenders: [string, () => Promise<number>][] = [
      [
        'floor: one hand-written JSON-RPC batch of `getMultipleAccounts` (ATAs by @solana/kit)',
        async () => {
          const atas = await Promise.all(
            owners.flatMap((owner) =>
              mints.map(
                async (mint) =>
                  (await findAssociatedTokenPda({ owner: address(owner), mint: address(mint), tokenProgram: address(TOKEN_PROGRAM) }))[0],
              ),
            ),
          )
          const keys: Address[] = [...owners.map((o) => address(o)), ...atas]
          const body = []
          for (let i = 0; i < keys.length; i += 100)
            body.push({
              jsonrpc: '2.0',
              id: i,
              method: 'getMultipleAccounts',
              params: [keys.slice(i, i + 100), { encoding: 'base64', commitment: 'confirmed' }],
            })
          const answers = (await (
            await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
          ).json()) as {
            result: { value: ({ lamports: number; data: [string, string] } | null)[] }
          }[]
          let n = 0
          for (const a of answers)
            for (const account of a.result.value) {
              if (account && account.data[0].length > 0) base64.decode(account.data[0])
              n++
            }
          return n
        },
      ],
      ['**coffer `getBalances`**', async () => (await adapter.getBalances({ addresses: owners })).length],
      [
        '@solana/web3.js v1 `getMultipleAccountsInfo`, 100 keys per call, in parallel',
        async () => {
          const keys = owners.map((o) => new PublicKey(o))
          const atas = keys.flatMap((owner) =>
            mints.map(
              (mint) =>
                PublicKey.findProgramAddressSync(
                  [owner.toBuffer(), new PublicKey(TOKEN_PROGRAM).toBuffer(), new PublicKey(mint).toBuffer()],
                  ATA_PROGRAM,
                )[0],
            ),
          )
          const all = [...keys, ...atas]
          const chunks = []
          for (let i = 0; i < all.length; i += 100) chunks.push(web3.getMultipleAccountsInfo(all.slice(i, i + 100)))
          return (await Promise.all(chunks)).flat().length
        },
      ],
    ]
    const rows: string[] = []
    let floorMs = 0
    for (const [name, run] of contenders) {
      await run()
      const times: number[] = []
      let requests = 0
      for (let i = 0; i < 3; i++) {
        server.resetRequests()
        const { ms, result } = await timed(run)
        if (result !== OWNERS * 3) throw new Error(`${name}: ${result} reads`)
        times.push(ms)
        requests = server.requests
      }
      const ms = times.sort((a, b) => a - b)[1] as number
      if (!floorMs) floorMs = ms
      rows.push(`| ${name} | ${ms.toFixed(0)} | ${requests} | ${(ms / floorMs).toFixed(2)}× |`)
    }
    const text = [
      '### Balances on a local Solana cluster: 1,000 owners × (SOL + 2 SPL tokens) = 3,000 reads',
      '',
      '| how | ms | HTTP requests | time vs floor |',
      '|---|---:|---:|---:|',
      ...rows,
    ].join('\n')
    console.log(`${text}\n`)
    return text
  } finally {
    await server.stop()
  }
}

async function benchSigning(): Promise<string> {
  const server = await startSolanaServer()
  try {
    const vault = await Vault.create({ storage: memoryStorage(), password: 'bench', kdf: { name: 'pbkdf2-sha256', iterations: 600_000 } })
    const { id } = await vault.addMnemonic({ mnemonic: MNEMONIC })
    const signer = await vault.getSigner({ secretId: id, chain: 'solana', index: 0 })
    const fast = await vault.getSigner({ secretId: id, chain: 'solana', index: 0, verify: false })
    server.airdrop(signer.address, 10_000_000_000n)
    server.mine(2)
    const adapter = solana({ chain: `solana:${server.genesisHash.slice(0, 32)}`, rpcUrls: [server.url] })
    const to = base58.encode(new Uint8Array(32).fill(9))
    const quote = await adapter.quoteTransfer({ from: signer.address, to, asset: adapter.nativeAsset, amount: 1_000_000n })
    const unsigned: UnsignedTransaction = await adapter.buildTransfer(quote)
    const message = base64.decode(unsigned.payload.message as string)
    // The same key for the floor and kit: the bench's own throwaway key (never the vault's).
    const privateKey = ed25519.utils.randomPrivateKey()
    const kitSigner = await createKeyPairSignerFromPrivateKeyBytes(privateKey)
    const kitTx = { messageBytes: message as never, signatures: { [kitSigner.address]: null } } as never
    const rows = await measureAll(
      [
        [
          'floor: @noble/curves `ed25519.sign` of the message bytes',
          () => {
            for (let i = 0; i < SIGNATURES; i++) ed25519.sign(message, privateKey)
          },
        ],
        [
          '**coffer `signTransaction`** (message checked against its summary, signature verified)',
          async () => {
            for (let i = 0; i < SIGNATURES; i++) await adapter.signTransaction(unsigned, signer)
          },
        ],
        [
          'coffer `signTransaction`, signer with `verify: false`',
          async () => {
            for (let i = 0; i < SIGNATURES; i++) await adapter.signTransaction(unsigned, fast)
          },
        ],
        [
          '@solana/kit key-pair signer `signTransactions` (WebCrypto)',
          async () => {
            for (let i = 0; i < SIGNATURES; i++) await kitSigner.signTransactions([kitTx])
          },
        ],
      ],
      SIGNATURES,
    )
    return table('Signing 1,000 Solana transfers', 'tx/s', rows, rows[0]!.name)
  } finally {
    await server.stop()
  }
}

export async function benchSolana(): Promise<string[]> {
  const note =
    "_Solana: the balance reads' time is mostly the local server's; the floor derives token accounts with @solana/kit's WebCrypto-based PDA search, which coffer's synchronous derivation beats. kit signs through WebCrypto (OpenSSL); coffer's signer runs on @noble so that a locked vault can zero its key._"
  return [note, await benchBalances(), await benchSigning()]
}
