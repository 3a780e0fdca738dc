// The Esplora-shaped checking server coffer's tests run the Bitcoin adapter against. It lives in
// src/testing/bitcoin/ (coffer/testing's startLocalBitcoin runs it too); this re-export keeps one
// copy and the import path the tests use. The fault layer (addFault, setRewrite, rejectNext) is
// reached only from here: it is not part of coffer/testing's public API.
export { NETWORKS, startEsplora } from '../../src/testing/bitcoin/server.js'
export type * from '../../src/testing/bitcoin/types.js'
