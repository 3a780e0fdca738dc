/**
 * A @solana/kit signer backed by a coffer ed25519 signer: kit users build and send with their own
 * tools while the key stays in the vault (or hardware, or a KMS). It signs what kit hands it — kit
 * users own the check of what they sign; coffer's own transfers go through the checked
 * `signTransaction` instead.
 * @module
 */
import { address, signatureBytes, type SignatureDictionary, type TransactionPartialSigner, type MessagePartialSigner } from '@solana/kit'
import type { Ed25519Signer } from '../../keys/signer.js'
import { ed25519SignerOf } from './signing.js'

/** Wraps a coffer ed25519 signer as kit's `TransactionPartialSigner & MessagePartialSigner`. @throws InvalidArgumentError */
export function solanaKitSigner(signer: Ed25519Signer): TransactionPartialSigner & MessagePartialSigner {
  ed25519SignerOf(signer)
  const addr = address(signer.address)
  const sign = async (bytes: Uint8Array): Promise<SignatureDictionary> =>
    Object.freeze({ [addr]: signatureBytes(await signer.signMessage(new Uint8Array(bytes))) }) as SignatureDictionary
  return Object.freeze({
    address: addr,
    async signTransactions(transactions) {
      const out: SignatureDictionary[] = []
      for (const tx of transactions) out.push(await sign(tx.messageBytes as unknown as Uint8Array))
      return out
    },
    async signMessages(messages) {
      const out: SignatureDictionary[] = []
      for (const m of messages) out.push(await sign(m.content))
      return out
    },
  } satisfies TransactionPartialSigner & MessagePartialSigner)
}
