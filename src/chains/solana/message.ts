/**
 * Signing messages the way Solana wallets verify them: the off-chain message format v0
 * (https://docs.anza.xyz/proposals/off-chain-message-signing; "\xffsolana offchain", version 0,
 * a 32-byte application domain, the content format, the signers, the length, the text),
 * encoded with @solana/kit's offchain-messages and signed with ed25519. The format is the
 * narrowest that fits: restricted ASCII (0x20–0x7e) up to 1,232 bytes, else UTF-8 up to 1,232,
 * else UTF-8 up to 65,535. Byte messages must be UTF-8 text (the format carries text only).
 *
 * The result: `signature` is base58 (as Solana tools show signatures); `digest` is the hex of the
 * whole encoded message — ed25519 hashes nothing first, so these are exactly the bytes signed,
 * and a verifier checks `ed25519.verify(signature, hexToBytes(digest), publicKey)`.
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import {
  address,
  compileOffchainMessageV0Envelope,
  offchainMessageApplicationDomain,
  OffchainMessageContentFormat,
  type OffchainMessageV0,
} from '@solana/kit'
import { base58 } from '@scure/base'
import { describe } from '../../core/assert.js'
import { InvalidArgumentError, SignatureVerificationError } from '../../core/errors.js'
import type { Ed25519Signer } from '../../keys/signer.js'
import type { MessageSignature } from '../adapter.js'
import { ed25519SignerOf } from './signing.js'

/** The application domain coffer signs under unless told otherwise: 32 zero bytes. */
const DEFAULT_APPLICATION_DOMAIN = '11111111111111111111111111111111'

const FORMATS = [
  OffchainMessageContentFormat.RESTRICTED_ASCII_1232_BYTES_MAX,
  OffchainMessageContentFormat.UTF8_1232_BYTES_MAX,
  OffchainMessageContentFormat.UTF8_65535_BYTES_MAX,
] as const

/** The encoded off-chain message (v0) `signer` signs for `text`. @throws InvalidArgumentError */
export function encodeOffchainMessage(signerAddress: string, text: string, applicationDomain = DEFAULT_APPLICATION_DOMAIN): Uint8Array {
  if (text.length === 0) throw new InvalidArgumentError('The message is empty.')
  let domain
  try {
    domain = offchainMessageApplicationDomain(applicationDomain)
  } catch (cause) {
    throw new InvalidArgumentError('applicationDomain must be base58 of 32 bytes.', { cause })
  }
  const ascii = /^[\x20-\x7e]*$/.test(text)
  let last: unknown
  for (const format of FORMATS) {
    if (format === OffchainMessageContentFormat.RESTRICTED_ASCII_1232_BYTES_MAX && !ascii) continue
    try {
      const message = {
        version: 0,
        applicationDomain: domain,
        content: { format, text },
        requiredSignatories: [{ address: address(signerAddress) }],
      } as unknown as OffchainMessageV0
      return new Uint8Array(compileOffchainMessageV0Envelope(message).content)
    } catch (cause) {
      last = cause
    }
  }
  throw new InvalidArgumentError('The message is too long for a Solana off-chain message (at most 65,535 bytes with its header).', {
    cause: last,
  })
}

/**
 * Signs `message` (a string, or UTF-8 bytes) as a Solana off-chain message v0. Offline.
 * @throws InvalidArgumentError (not a Solana signer, empty, not UTF-8, too long); SignatureVerificationError
 */
export async function signSolanaMessage(
  signer: Ed25519Signer,
  message: string | Uint8Array,
  options: { applicationDomain?: string } = {},
): Promise<MessageSignature> {
  ed25519SignerOf(signer)
  let text: string
  if (typeof message === 'string') text = message
  else if (message instanceof Uint8Array) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(message)
    } catch (cause) {
      throw new InvalidArgumentError('A Solana off-chain message is text: the bytes are not UTF-8.', { cause })
    }
  } else throw new InvalidArgumentError(`message must be a string or bytes, got ${describe(message)}.`)
  const bytes = encodeOffchainMessage(signer.address, text, options.applicationDomain)
  const signature = await signer.signMessage(bytes)
  if (!ed25519.verify(signature, bytes, signer.publicKey))
    throw new SignatureVerificationError('The ed25519 message signature does not verify; nothing was returned.')
  return Object.freeze({ signature: base58.encode(signature), digest: bytesToHex(bytes) })
}
