/**
 * The wallet's policy, kept with the wallet: sealed with the vault (`vault.sealer('policy-rules')`)
 * under the storage key `policy-rules`, written when the wallet is created and whenever the
 * policy changes, read at unlock. So `Wallet.open({ storage, chains })` with no policy gets the
 * stored one back, limits and lists included; a policy given to `open` may tighten the stored one
 * (it is then stored) but not loosen it — loosening is `wallet.setPolicy(policy, { password })`.
 *
 * Hook functions cannot be stored: the stored policy names them, and a wallet reopened without a
 * hook the stored policy had refuses every signature until it is given one (or the hook is
 * removed with the password).
 * @module
 * @internal
 */
import { base64 } from '@scure/base'
import { PolicyViolationError, VaultFormatError } from '../core/errors.js'
import { PolicyEngine, type PolicyOptions } from '../policy/policy.js'
import { policyFromJson, policyLoosenings, policyToJson, type StoredPolicy } from '../policy/rules.js'
import type { Sealer } from '../vault/sealer.js'
import { updateStorage, type VaultStorage } from '../vault/storage.js'

/** The storage key of the sealed policy. */
const POLICY_RULES_KEY = 'policy-rules'
const AAD = new TextEncoder().encode('coffer-policy-rules')

/** The stored policy, or undefined when the wallet has none stored yet. @throws VaultFormatError when it does not open */
async function loadPolicy(storage: VaultStorage, sealer: Sealer): Promise<StoredPolicy | undefined> {
  const text = await storage.get(POLICY_RULES_KEY)
  if (text === undefined) return undefined
  let plain: string
  try {
    const body = JSON.parse(text) as { sealed?: unknown }
    if (typeof body.sealed !== 'string') throw new Error('not sealed')
    plain = new TextDecoder().decode(await sealer.open(base64.decode(body.sealed), AAD))
  } catch (cause) {
    // Fail closed: a policy that cannot be read must not become "no policy".
    throw new VaultFormatError(
      'The stored spending policy cannot be opened (altered, or from another vault); refusing to run without it.',
      { cause: cause instanceof VaultFormatError ? cause : undefined },
    )
  }
  return policyFromJson(plain)
}

/** Seals and stores `policy`. */
export async function savePolicy(storage: VaultStorage, sealer: Sealer, policy: PolicyOptions | StoredPolicy): Promise<void> {
  const sealed = base64.encode(await sealer.seal(new TextEncoder().encode(policyToJson(policy)), AAD))
  await updateStorage(storage, POLICY_RULES_KEY, () => JSON.stringify({ sealed }))
}

/** The refusal for a policy change that loosens the stored one without the password. */
function loosenedError(stored: StoredPolicy, next: PolicyOptions, how: string): PolicyViolationError | undefined {
  const loosenings = policyLoosenings(stored, next)
  if (loosenings.length === 0) return undefined
  const shown = loosenings
    .slice(0, 3)
    .map((l) => l.message)
    .join(' ')
  return new PolicyViolationError(
    `Refused by policy (policyChange): the new policy is looser than the stored one. ${shown} ${how}`.slice(0, 900),
    {
      details: { rule: 'policyChange', loosenings: loosenings.map((l) => l.rule).join(',') },
    },
  )
}

/**
 * The policy to enforce from the stored one: its rules, and for each hook it had, the given hook
 * or — when none is given — one that refuses with a message saying what is missing.
 */
function enforced(stored: StoredPolicy, given: PolicyOptions | undefined): PolicyOptions {
  const hook = given?.onBeforeSign
  if (!stored.hooks.includes('onBeforeSign') || hook) return { ...stored.options, ...(hook ? { onBeforeSign: hook } : {}) }
  return {
    ...stored.options,
    onBeforeSign: () => {
      throw new PolicyViolationError(
        'The stored policy has a confirmation hook (onBeforeSign) this wallet was not given: pass it to Wallet.open({ policy: { onBeforeSign } }), or remove it with wallet.setPolicy(policy, { password }).',
        {
          details: { rule: 'onBeforeSign' },
        },
      )
    },
  }
}

/**
 * The policy to enforce at unlock: a wallet without a stored one stores what it was given (and
 * keeps it); with none given, the stored one; a given one that is as strict or stricter is stored
 * and enforced. @throws PolicyViolationError when the given policy loosens the stored one
 */
export async function adoptPolicy(
  storage: VaultStorage,
  sealer: Sealer,
  given: PolicyOptions | undefined,
): Promise<PolicyOptions | undefined> {
  const stored = await loadPolicy(storage, sealer)
  if (!stored) {
    await savePolicy(storage, sealer, given ?? {})
    return given
  }
  if (given === undefined) return enforced(stored, undefined)
  const looser = loosenedError(
    stored,
    given,
    'Open without `policy` to use the stored one, or change it with wallet.setPolicy(policy, { password }).',
  )
  if (looser) throw looser
  if (policyToJson(given) !== policyToJson(stored)) await savePolicy(storage, sealer, given)
  return given
}

/**
 * Stores `next` as the wallet's policy and returns it (validated). Without `passwordChecked`, a
 * change that loosens the stored policy is refused. @throws PolicyViolationError, InvalidArgumentError
 */
export async function changePolicy(
  storage: VaultStorage,
  sealer: Sealer,
  next: PolicyOptions,
  passwordChecked: boolean,
): Promise<PolicyOptions> {
  const checked = new PolicyEngine(next).options
  const stored = await loadPolicy(storage, sealer)
  if (!passwordChecked && stored) {
    const looser = loosenedError(stored, checked, 'Pass the password to loosen it: wallet.setPolicy(policy, { password }).')
    if (looser) throw looser
  }
  await savePolicy(storage, sealer, checked)
  return checked
}
