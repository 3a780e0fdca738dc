/** README, "Errors": the snippet between the region markers. */
import { Vault, memoryStorage } from 'coffer/vault'

const storage = memoryStorage()
await Vault.create({ storage, password: 'the right one' })
const vault = await Vault.open({ storage })
const ask = () => 'the right one'

// #region readme
try {
  await vault.unlock('a wrong guess')
} catch (error) {
  // Every error coffer throws on purpose has a stable `code`; compare it rather than `instanceof`
  // when CommonJS and ESM copies of coffer may meet in one process.
  if ((error as { code?: unknown }).code === 'WRONG_PASSWORD') await vault.unlock(ask())
  else throw error
}
// #endregion readme

console.log(vault.isLocked ? 'locked' : 'unlocked')
vault.lock()
