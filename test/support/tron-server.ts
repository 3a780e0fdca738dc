// The TronGrid-shaped checking server (java-tron's /wallet and /walletsolidity HTTP API and
// TronGrid's /v1 accounts, over its own TRX ledger and an anvil running the TRC-20s) coffer's
// tests run the Tron adapter against. It lives in src/testing/tron/ (coffer/testing's
// startLocalTron runs it too); this re-export keeps one copy and the import path the tests use.
// The fault layer (addFault, requests, resetRequests), refusals and the owner's token calls
// (blacklist, setPaused) are reached only from here: they are not part of coffer/testing's
// public API.
export { startTronServer } from '../../src/testing/tron/server.js'
export type * from '../../src/testing/tron/types.js'
