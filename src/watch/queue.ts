/**
 * Scale-out: the watcher's work — every (chain, shard) scan step, and delivery — spread over
 * processes through BullMQ on Redis. Each process runs {@link runWatchWorkers} with the same
 * watcher options on the same store; BullMQ hands each job to one worker, and a worker that dies
 * mid-job (SIGKILL, a lost machine) loses its lock: after `lockDurationMs` BullMQ's stalled-job
 * check gives the job to another worker.
 *
 * Why nothing is lost or doubled when that happens:
 * - A scan step commits its deposits, events and new cursor in one database transaction, and only
 *   if the shard's cursor is still the one it started from; a step killed before its commit
 *   leaves nothing, a step run twice commits once.
 * - Delivery is one job (`deliver`) at a time across all processes (a fixed job id), so events
 *   reach the handler in order; each is acknowledged in the transaction that locked it.
 *
 * Jobs are not scheduled by coffer: every process offers, each `pollIntervalMs`, one job per
 * unit under a fixed job id — BullMQ ignores an add whose id is waiting or running — and offers
 * the next step at once when a step ends behind the head.
 * @module
 */
import { assertOptions } from '../core/assert.js'
import { InvalidArgumentError, NotSupportedError, RpcError } from '../core/errors.js'
import { DepositWatcher, type StepReport, type WatchUnit } from './watcher.js'

/** Options of {@link runWatchWorkers}. */
export interface WatchWorkersOptions {
  /** BullMQ's Redis connection: ioredis options (`{ host, port }`) or an ioredis instance. */
  readonly connection: object
  /** The queue's name, default `coffer-watch`: one per store. */
  readonly queueName?: string
  /** Jobs this process runs at once, default 1. */
  readonly concurrency?: number
  /** How long a job's lock lasts without renewal (a dead worker's job waits this long), default 30,000 ms. */
  readonly lockDurationMs?: number
  /** How often work is offered when caught up, default 2,000 ms. */
  readonly pollIntervalMs?: number
  /** How long to wait for Redis at start, default 10,000 ms (then a typed error, nothing left running). */
  readonly connectTimeoutMs?: number
  /** A failed step or delivery (it is offered again); default ignore (metrics show the last error). */
  readonly onError?: (error: unknown) => void
}

/** A running worker process's handle. */
export interface WatchWorkers {
  /** Steps and deliveries this process has run. */
  readonly jobs: () => number
  /** Stops taking jobs, waits for the running ones, and closes the Redis connections. */
  close(): Promise<void>
}

interface StepJob {
  readonly chainId: string
  readonly shard: number
}

/** BullMQ refuses `:` in custom ids; chain ids have one. */
const jobId = (u: WatchUnit) => `scan-${encodeURIComponent(u.chainId)}-${u.shard}`
const DELIVER = 'deliver'

/**
 * Starts BullMQ workers for `watcher` in this process (needs the optional peer `bullmq`, with
 * `ioredis`). Run it in as many processes as you like, with the same `queueName` and store.
 * @throws NotSupportedError when bullmq is not installed
 */
export async function runWatchWorkers(watcher: DepositWatcher, options: WatchWorkersOptions): Promise<WatchWorkers> {
  if (!(watcher instanceof DepositWatcher)) throw new InvalidArgumentError('runWatchWorkers takes a DepositWatcher.')
  const o = assertOptions(options) as WatchWorkersOptions
  if (!o.connection || typeof o.connection !== 'object') throw new InvalidArgumentError('connection must be BullMQ connection options.')
  const positive = (name: string, value: number | undefined, fallback: number) => {
    const v = value ?? fallback
    if (!Number.isSafeInteger(v) || v < 1) throw new InvalidArgumentError(`${name} must be a positive whole number.`)
    return v
  }
  const concurrency = positive('concurrency', o.concurrency, 1)
  const lockDuration = positive('lockDurationMs', o.lockDurationMs, 30_000)
  const interval = positive('pollIntervalMs', o.pollIntervalMs, 2_000)
  const connectTimeout = positive('connectTimeoutMs', o.connectTimeoutMs, 10_000)
  const name = o.queueName ?? 'coffer-watch'
  if (!/^[\w.-]{1,100}$/.test(name)) throw new InvalidArgumentError('queueName must be letters, digits, _ . or - (up to 100).')
  // A specifier bundlers do not follow: the workers are for Node servers, and bullmq (with its Node
  // built-ins) must not land in a browser bundle of coffer/watch.
  const specifier = 'bullmq'
  const bullmq = await (import(specifier) as Promise<typeof import('bullmq')>).catch(() => {
    throw new NotSupportedError('runWatchWorkers needs the bullmq package (npm install bullmq ioredis).', {
      details: { package: 'bullmq' },
    })
  })
  const onError = (error: unknown) => {
    try {
      o.onError?.(error)
    } catch {
      // an error hook must not stop the workers
    }
  }

  const queue = new bullmq.Queue(name, { connection: o.connection as never })
  queue.on('error', (error: Error) => onError(error))
  let timer: NodeJS.Timeout | undefined
  const ready = await Promise.race([
    queue.waitUntilReady().then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), connectTimeout))),
  ]).finally(() => clearTimeout(timer))
  if (!ready) {
    await queue.disconnect().catch(() => undefined)
    throw new RpcError(`Redis did not answer within ${connectTimeout} ms; the watch workers did not start.`, {
      details: { timeoutMs: connectTimeout },
    })
  }
  const offer = (job: string, data: StepJob | Record<string, never>, id: string) =>
    queue.add(job, data, { jobId: id, removeOnComplete: true, removeOnFail: true }).then(
      () => undefined,
      (error: unknown) => onError(error),
    )
  const offerAll = async () => {
    let units: WatchUnit[]
    try {
      units = await watcher.units()
    } catch (error) {
      onError(error)
      return
    }
    await Promise.all([...units.map((u) => offer('scan', u, jobId(u))), offer(DELIVER, {}, DELIVER)])
  }

  let jobs = 0
  const worker = new bullmq.Worker(
    name,
    async (job: { name: string; data: StepJob | Record<string, never> }): Promise<StepReport | { delivered: number }> => {
      jobs++
      if (job.name === DELIVER) {
        const { delivered, error } = await watcher.deliver()
        if (error !== undefined) throw error
        return { delivered }
      }
      const { chainId, shard } = job.data as StepJob
      return watcher.step(chainId as WatchUnit['chainId'], shard)
    },
    {
      connection: o.connection as never,
      concurrency,
      lockDuration,
      stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
      // A job a dead worker held is always taken again: steps and deliveries are safe to repeat.
      // (Number.MAX_SAFE_INTEGER here silently stopped BullMQ's stalled-job recovery; a million is "always".)
      maxStalledCount: 1_000_000,
    },
  )
  worker.on('completed', (job: { name: string; data: StepJob | Record<string, never> }, result: StepReport | { delivered: number }) => {
    if (job.name === DELIVER) {
      if ((result as { delivered: number }).delivered > 0) void offer(DELIVER, {}, DELIVER)
      return
    }
    const r = result as StepReport
    if (r.behind > 0) void offer('scan', job.data, jobId(job.data as WatchUnit))
    if (r.detected + r.confirmed + r.reorged > 0) void offer(DELIVER, {}, DELIVER)
  })
  worker.on('failed', (_job: unknown, error: Error) => onError(error))
  worker.on('error', (error: Error) => onError(error))

  let closed = false
  const tick = async () => {
    if (closed) return
    await offerAll()
    if (!closed) timer = setTimeout(() => void tick(), interval)
  }
  await tick()
  return {
    jobs: () => jobs,
    async close() {
      closed = true
      if (timer) clearTimeout(timer)
      await worker.close()
      await queue.close()
    },
  }
}
