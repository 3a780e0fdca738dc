/** The EVM adapter against the ChainAdapter conformance suite (test/chains/contract.ts). */
import { describeChainAdapter } from '../contract.js'
import { evmHarness } from './harness.js'

describeChainAdapter(evmHarness)
