/**
 * A fake OpenAI-compatible chat-completions server for tests. It records each
 * request and responds according to the behaviour the test sets.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: any;
  /** Resolves when the client closes the connection before the response ended. */
  aborted: Promise<void>;
}

export type FakeBehaviour =
  | { kind: 'json'; content: string }
  | { kind: 'stream'; chunks: string[]; delayMs?: number; stallAfter?: number }
  | { kind: 'status'; status: number; body: string }
  | { kind: 'raw'; contentType: string; body: string }
  | { kind: 'hang' };

export interface FakeLlm {
  baseUrl: string;
  requests: RecordedRequest[];
  behave(behaviour: FakeBehaviour): void;
  close(): Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function respond(behaviour: FakeBehaviour, response: ServerResponse): Promise<void> {
  switch (behaviour.kind) {
    case 'json':
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: 'cmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: behaviour.content }, finish_reason: 'stop' }] }));
      return;
    case 'stream': {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant' } }] })}\n\n`);
      for (const [index, chunk] of behaviour.chunks.entries()) {
        if (behaviour.stallAfter !== undefined && index >= behaviour.stallAfter) return;
        if (response.destroyed) return;
        response.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: chunk } }] })}\n\n`);
        if (behaviour.delayMs) await sleep(behaviour.delayMs);
      }
      response.end('data: [DONE]\n\n');
      return;
    }
    case 'status':
      response.writeHead(behaviour.status, { 'content-type': 'application/json' });
      response.end(behaviour.body);
      return;
    case 'raw':
      response.writeHead(200, { 'content-type': behaviour.contentType });
      response.end(behaviour.body);
      return;
    case 'hang':
      return;
  }
}

/** Starts the fake server on 127.0.0.1 and a free port; its base URL ends in /v1. */
export async function startFakeLlm(): Promise<FakeLlm> {
  let behaviour: FakeBehaviour = { kind: 'json', content: 'Hello from the fake model.' };
  const requests: RecordedRequest[] = [];
  const server: Server = createServer(async (request, response) => {
    let text = '';
    for await (const chunk of request) text += chunk;
    const aborted = new Promise<void>((resolve) => {
      response.on('close', () => {
        if (!response.writableFinished) resolve();
      });
    });
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: JSON.parse(text), aborted });
    await respond(behaviour, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    behave(next) {
      behaviour = next;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
