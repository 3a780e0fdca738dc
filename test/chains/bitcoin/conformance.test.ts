/** The Bitcoin adapter against the ChainAdapter conformance suite (test/chains/contract.ts). */
import { describeChainAdapter } from '../contract.js'
import { bitcoinHarness } from './harness.js'

describeChainAdapter(bitcoinHarness)
