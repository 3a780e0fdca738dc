import type { FixtureAddresses } from './anvil.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared anvil of test/support/global-setup.ts and its deployed fixtures. */
    anvil: {
      url: string
      port: number
      chainId: number
      fixtures: FixtureAddresses
    }
  }
}
