// An app on `coffer/tron`: the TRON adapter, its TronGrid client, the token registry and message digests.
import { TRON_TOKENS, tron, tronClient, tronMessageDigest } from 'coffer/tron'

console.log(TRON_TOKENS, tron, tronClient, tronMessageDigest)
