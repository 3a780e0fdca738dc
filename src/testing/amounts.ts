/**
 * Amounts the kits' `fund` calls take: a decimal string in whole units (`'1000'` USDT,
 * `'0.5'` ETH, `'0.015'` BTC) or a bigint of base units (`1_000_000_000n` = 1,000 USDT) —
 * never a JS number.
 * @module
 * @internal
 */
import { describe } from '../core/assert.js'
import { parseAmount } from '../core/amount.js'
import { InvalidAmountError } from '../core/errors.js'

/** A decimal string in whole units, or a bigint of base units. */
export type FundAmount = string | bigint

/**
 * Base units of `amount` for an asset of `decimals`; `what` names it in errors.
 * @throws InvalidAmountError for numbers, negative bigints, malformed strings and too many decimals
 */
export function toBaseUnits(amount: unknown, decimals: number, what: string, max: bigint = 2n ** 256n - 1n): bigint {
  let units: bigint
  if (typeof amount === 'bigint') {
    if (amount < 0n) throw new InvalidAmountError(`${what} must not be negative, got ${amount}n.`)
    units = amount
  } else if (typeof amount === 'string') {
    try {
      units = parseAmount(amount, decimals)
    } catch (error) {
      if (error instanceof InvalidAmountError)
        throw new InvalidAmountError(`${what}: ${error.shortMessage}`, { details: error.details, cause: error })
      throw error
    }
  } else if (typeof amount === 'number') {
    throw new InvalidAmountError(
      `${what} must be a decimal string in whole units or a bigint of base units, not a number (money never goes through a float): write ${JSON.stringify(String(amount))} or ${Number.isSafeInteger(amount) && amount >= 0 ? `${amount}n for base units` : 'a bigint'}.`,
    )
  } else {
    throw new InvalidAmountError(`${what} must be a decimal string in whole units or a bigint of base units, got ${describe(amount)}.`)
  }
  if (units > max) throw new InvalidAmountError(`${what} is too large: at most ${max} base units.`, { details: { max } })
  return units
}
