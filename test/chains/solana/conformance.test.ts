/** The Solana adapter against the ChainAdapter conformance suite (test/chains/contract.ts). */
import { describeChainAdapter } from '../contract.js'
import { solanaHarness } from './harness.js'

describeChainAdapter(solanaHarness)
