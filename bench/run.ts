/**
 * `npm run bench`: every benchmark in one run, printed as Markdown tables. With
 * `--readme` (`npm run bench -- --readme`) the tables also replace the README's
 * "Performance" block. Absolute numbers drift between machines; compare ratios measured
 * in the same run. Baselines for this kind of machine: ../shared/BASELINES.md.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { benchBundle } from './bundle.js'
import { benchDerive } from './derive.js'
import { benchSeed } from './seed.js'
import { benchEvmBalances } from './evm-balances.js'
import { benchEvmSigning } from './evm-signing.js'
import { benchPortfolio } from './portfolio.js'
import { benchSolana } from './solana.js'
import { benchTron } from './tron.js'
import { benchVault } from './vault.js'

const header = `Node ${process.version}, ${availableParallelism()} cores, ${new Date().toISOString().slice(0, 10)}.`
console.log(`coffer bench — ${header}\n`)
const tables = [
  ...(await benchDerive()),
  ...(await benchSeed()),
  ...(await benchVault()),
  ...(await benchEvmBalances()),
  ...(await benchPortfolio()),
  ...(await benchEvmSigning()),
  ...(await benchSolana()),
  ...(await benchTron()),
  ...(await benchBundle()),
]

if (process.argv.includes('--readme')) {
  const readme = new URL('../README.md', import.meta.url)
  const text = readFileSync(readme, 'utf8')
  const block = `<!-- bench:start -->\n_${header}_\n\n${tables.map((t) => t.replace(/^### /, '#### ')).join('\n\n')}\n<!-- bench:end -->`
  writeFileSync(readme, text.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, block))
  console.log('README.md performance block updated.')
}
