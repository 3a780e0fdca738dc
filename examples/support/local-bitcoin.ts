/**
 * A throwaway regtest "node" for the examples: a local server speaking the Esplora REST API
 * over an in-memory UTXO set, which accepts a transaction only after verifying every input's
 * signature with bitcoinjs-lib and libsecp256k1. Real apps use an Esplora URL instead
 * (`https://blockstream.info/api`, `https://mempool.space/api`, or their own electrs).
 */
import { startEsplora, type EsploraServer } from '../../test/support/esplora-server.js'

/** Starts the regtest server. Stop it when done. */
export function startLocalBitcoin(): Promise<EsploraServer> {
  return startEsplora({ network: 'regtest' })
}
