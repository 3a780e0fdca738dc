/**
 * TRON message signatures, TIP-191 as TronWeb's `signMessageV2` / TronLink's `signMessageV2`
 * make them: keccak256("\x19TRON Signed Message:\n" + decimal byte length + message), signed with
 * the account's secp256k1 key; written `0x` + r (32 bytes) + s (32 bytes) + v (27 or 28), the
 * form `tronWeb.trx.verifyMessageV2` recovers the signer's address from.
 * (TIP-191: https://github.com/tronprotocol/tips/blob/master/tip-191.md.)
 * @module
 * @internal
 */
import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { InvalidArgumentError } from '../../core/errors.js'
import { tronAddressFromPublicKey } from '../../keys/address/tron.js'
import type { Secp256k1Signer } from '../../keys/signer.js'
import type { MessageSignature } from '../adapter.js'

const PREFIX = utf8ToBytes('\x19TRON Signed Message:\n')
/** The longest message signed (a message is shown to the user before it is signed). */
const MAX_MESSAGE_BYTES = 65_536

/** The TIP-191 digest of `message` (a string is its UTF-8 bytes). @throws InvalidArgumentError */
export function tronMessageDigest(message: string | Uint8Array): Uint8Array {
  const bytes = typeof message === 'string' ? utf8ToBytes(message) : message
  if (!(bytes instanceof Uint8Array) || bytes.length === 0 || bytes.length > MAX_MESSAGE_BYTES)
    throw new InvalidArgumentError(`message must be a non-empty string or bytes of at most ${MAX_MESSAGE_BYTES} bytes.`)
  return keccak_256(concatBytes(PREFIX, utf8ToBytes(String(bytes.length)), bytes))
}

/** Signs `message` (TIP-191) with a TRON signer. Offline. @throws InvalidArgumentError */
export async function signTronMessage(signer: Secp256k1Signer, message: string | Uint8Array): Promise<MessageSignature> {
  if (tronAddressFromPublicKey(signer.publicKey) !== signer.address)
    throw new InvalidArgumentError("The signer's address is not the address of its key. Nothing was signed.")
  const digest = tronMessageDigest(message)
  const { r, s, recovery } = await signer.signDigest(digest)
  const word = (n: bigint) => n.toString(16).padStart(64, '0')
  return { signature: `0x${word(r)}${word(s)}${(27 + recovery).toString(16)}`, digest: `0x${bytesToHex(digest)}` }
}
