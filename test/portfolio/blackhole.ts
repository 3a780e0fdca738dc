/**
 * A local HTTP server that accepts every request and answers none — a node that hangs — until
 * told to answer: then every held request, and each later one, is forwarded to a real server
 * (the local Esplora), as a node that comes back after a long delay would answer.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A running black hole and what it has seen. */
export interface Blackhole {
  readonly url: string
  /** Requests received so far. */
  readonly received: number
  /** Requests received and not answered whose connection is still open. */
  readonly open: number
  /** Requests answered (only after `answerFrom`). */
  readonly answered: number
  /** From now on, answers every held and later request with what `target` answers. */
  answerFrom(target: string): void
  /** Closes every connection (held requests fail on the client side) and the server. */
  stop(): Promise<void>
}

/** Starts a black hole on a free loopback port. */
export async function startBlackhole(): Promise<Blackhole> {
  const held = new Set<{ req: IncomingMessage; res: ServerResponse }>()
  let target: string | undefined
  let received = 0
  let answered = 0

  const forward = async (req: IncomingMessage, res: ServerResponse, to: string): Promise<void> => {
    try {
      const upstream = await fetch(`${to}${req.url ?? '/'}`, { method: req.method ?? 'GET' })
      const body = Buffer.from(await upstream.arrayBuffer())
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' })
      res.end(body)
    } catch {
      res.writeHead(502).end()
    }
    answered++
  }

  const server = createServer((req, res) => {
    received++
    if (target !== undefined) return void forward(req, res, target)
    const entry = { req, res }
    held.add(entry)
    res.on('close', () => held.delete(entry))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    get received() {
      return received
    },
    get open() {
      return held.size
    },
    get answered() {
      return answered
    },
    answerFrom(to: string) {
      target = to
      const waiting = [...held]
      held.clear()
      for (const { req, res } of waiting) void forward(req, res, to)
    },
    async stop() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
