// The Solana JSON-RPC checking server (Agave's API over litesvm) coffer's tests run the Solana
// adapter against. It lives in src/testing/solana/ (coffer/testing's startLocalSolana runs it
// too); this re-export keeps one copy and the import path the tests use. The fault layer
// (addFault, requests, resetRequests) and setPrioritizationFees are reached only from here:
// they are not part of coffer/testing's public API.
export { startSolanaServer } from '../../src/testing/solana/server.js'
export type * from '../../src/testing/solana/types.js'
