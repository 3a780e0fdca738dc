/** Shared setup for Solana adapter tests: the local litesvm JSON-RPC server, an adapter on it, vault signers. */
import { solana, type SolanaAdapterOptions } from 'coffer/solana'
import { Vault, memoryStorage } from 'coffer/vault'
import type { Ed25519Signer } from 'coffer/keys'
import { startSolanaServer, type SolanaServer, type SolanaServerOptions } from '../../support/solana-server.js'

const FAST_KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const
const MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow'

/** The CAIP-2 id of a server's cluster. */
export function chainOf(server: SolanaServer): `solana:${string}` {
  return `solana:${server.genesisHash.slice(0, 32)}`
}

/** A local Solana server and an adapter on it (with extra adapter options). */
export async function localSolana(
  options: Omit<SolanaAdapterOptions, 'chain' | 'rpcUrls' | 'tokens'> = {},
  serverOptions: SolanaServerOptions = {},
): Promise<{ server: SolanaServer; adapter: ReturnType<typeof solana> }> {
  const server = await startSolanaServer(serverOptions)
  return { server, adapter: adapterOn(server, options) }
}

/** An adapter on `server` (its tokens listed), at `url` (a proxy) when given. */
export function adapterOn(
  server: SolanaServer,
  options: Omit<SolanaAdapterOptions, 'chain' | 'rpcUrls' | 'tokens'> = {},
  url = server.url,
) {
  return solana({ ...options, chain: chainOf(server), rpcUrls: [url], tokens: server.tokens })
}

/** `count` Solana signers of one vault (m/44'/501'/i'/0'). */
export async function solanaSigners(count: number): Promise<{ vault: Vault; signers: Ed25519Signer[] }> {
  const vault = await Vault.create({ storage: memoryStorage(), password: 'test', kdf: FAST_KDF })
  const { id } = await vault.addMnemonic({ mnemonic: MNEMONIC })
  const signers: Ed25519Signer[] = []
  for (let index = 0; index < count; index++) signers.push(await vault.getSigner({ secretId: id, chain: 'solana', index }))
  return { vault, signers }
}
