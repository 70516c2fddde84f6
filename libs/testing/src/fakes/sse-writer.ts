import type { ServerResponse } from 'node:http';
import { sleep } from './fake-server';
import type { FakeKnobs } from './openai-responder';

/**
 * Writes pre-rendered SSE events (each its own write) for the native-format fakes, honouring the
 * `chunkDelayMs` and `resetAfterChunks` knobs. `contentEvents` says which events count as content
 * for `resetAfterChunks`. The stream ends by closing the response (Gemini has no terminator;
 * Anthropic's terminator, `message_stop`, is one of the events).
 */
export async function writeSseEvents(res: ServerResponse, k: FakeKnobs, events: { text: string; content: boolean }[]): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  res.flushHeaders();
  let content = 0;
  for (let i = 0; i < events.length; i++) {
    if (res.destroyed) return;
    res.write(events[i].text);
    if (events[i].content) content++;
    if (k.resetAfterChunks !== undefined && content >= k.resetAfterChunks) {
      // Let the written events reach the client, then RST: it sees ECONNRESET mid-stream.
      await sleep(30, res);
      res.socket?.resetAndDestroy();
      return;
    }
    if (k.closeAfterChunks !== undefined && content >= k.closeAfterChunks) break;
    if (k.chunkDelayMs > 0 && i < events.length - 1) await sleep(k.chunkDelayMs, res);
  }
  if (!res.destroyed) res.end();
}
