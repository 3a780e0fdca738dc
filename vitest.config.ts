import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const file = (p: string) => fileURLToPath(new URL(`./${p}`, import.meta.url))
const read = (p: string) => JSON.parse(readFileSync(file(p), 'utf8'))
/** The package's subpaths (`.`, `./keys`, …) and their sources: subpaths.json is the one list (see scripts/subpaths.mjs). */
const SUBPATHS = read('subpaths.json') as Record<string, string>
const NAME = (read('package.json') as { name: string }).name
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

export default defineConfig({
  resolve: {
    // Tests import the package by name (`coffer`, `coffer/evm`): each resolves to its source.
    alias: Object.entries(SUBPATHS).map(([subpath, source]) => ({
      find: new RegExp(`^${escape(subpath === '.' ? NAME : `${NAME}/${subpath.slice(2)}`)}$`),
      replacement: file(source),
    })),
  },
  test: {
    include: ['test/**/*.test.ts'],
    // One shared anvil + EVM fixtures for all test files: inject('anvil').
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 30_000,
    // Test files mostly wait — on anvil, local servers and child processes — so one more worker
    // than cores keeps the CPUs busy (vitest's default, cores - 1, ran them one at a time on 2
    // cores: 18 minutes). Files share the global anvil only through fresh accounts and tokens.
    // COFFER_TEST_WORKERS overrides.
    maxWorkers: Number(process.env.COFFER_TEST_WORKERS) || availableParallelism() + 1,
  },
})
