// An app on `coffer/solana`: the Solana adapter, its JSON-RPC client, token accounts and a @solana/kit signer.
import { associatedTokenAddress, SOLANA_TOKENS, solana, solanaKitSigner, solanaRpc } from 'coffer/solana'

console.log(associatedTokenAddress, SOLANA_TOKENS, solana, solanaKitSigner, solanaRpc)
