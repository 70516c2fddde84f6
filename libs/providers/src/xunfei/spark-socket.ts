import { WebSocket, type Dispatcher } from 'undici';
import type { TransportContext, UpstreamReplyHandler, UpstreamRequestToAuthorize } from '../adapter.types';
import { sparkErrorStatus, type SparkFrame } from './spark-chat';

const SSE_HEAD = [Buffer.from('content-type'), Buffer.from('text/event-stream')];
const JSON_HEAD = [Buffer.from('content-type'), Buffer.from('application/json')];
/** A refused handshake answers a short JSON message; more is not kept. */
const REFUSAL_LIMIT = 4096;

function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * The dispatcher with the status (and start of the body) of a refused handshake recorded:
 * undici's WebSocket reports only "non-101 status", and Spark's 401/403 there mean the key.
 */
function watchHandshake(dispatcher: Dispatcher, refusal: { status: number; body: string }): Dispatcher {
  return dispatcher.compose((dispatch) => (opts, handler) => {
    const watched = new Proxy(handler, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        // Interceptors see undici's handler API (onResponseStart/onResponseData).
        if (prop === 'onResponseStart')
          return (controller: unknown, status: number, ...rest: unknown[]) => {
            refusal.status = status;
            return (value as (...a: unknown[]) => unknown).call(target, controller, status, ...rest);
          };
        if (prop === 'onResponseData')
          return (controller: unknown, chunk: Buffer) => {
            if (refusal.body.length < REFUSAL_LIMIT) refusal.body += chunk.toString('utf8');
            return (value as (...a: unknown[]) => unknown).call(target, controller, chunk);
          };
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
    return dispatch(opts, watched);
  });
}

/**
 * Spark v1's exchange over WebSocket, reported to `handler` as an HTTP reply: the request frame
 * is sent once the socket opens; the first answer frame gives the head (an error code becomes an
 * HTTP error status with `{error:{message, code}}`, a refused handshake its own status), then
 * every frame is one SSE `data:` event until the frame with status 2. A socket that closes before
 * that fails the body like a reset connection. `abort` (client gone, total timeout) closes it.
 *
 * A WebSocket cannot be paused: while the handler holds the body back, frames wait in a queue
 * (a Spark answer is a few kilobytes).
 */
export function sparkTransport(request: UpstreamRequestToAuthorize, handler: UpstreamReplyHandler, ctx: TransportContext): void {
  const refusal = { status: 0, body: '' };
  const ws = new WebSocket(request.url, { dispatcher: watchHandshake(ctx.dispatcher, refusal) });
  ws.binaryType = 'arraybuffer';
  let headed = false;
  let finished = false;
  let paused = false;
  const queue: Buffer[] = [];
  /** The end (null: complete) once the socket is done while frames still wait. */
  let ending: Error | null | undefined;

  const waitMs = ctx.connectTimeoutMs + ctx.firstByteTimeoutMs;
  let timer = waitMs > 0 ? setTimeout(() => stop(codedError(`Spark sent no answer within ${waitMs} ms`, 'UND_ERR_HEADERS_TIMEOUT')), waitMs) : null;
  /** After the first frame: the longest silence between two frames (frames flow whether or not the reader pauses). */
  const idle = () => {
    if (timer) clearTimeout(timer);
    timer = ctx.idleTimeoutMs > 0 ? setTimeout(() => stop(codedError(`Spark sent nothing for ${ctx.idleTimeoutMs} ms`, 'UND_ERR_BODY_TIMEOUT')), ctx.idleTimeoutMs) : null;
  };

  const close = () => {
    if (timer) clearTimeout(timer);
    if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close();
  };
  /** Ends the exchange now, with `err` or complete; queued frames are delivered first. */
  const finish = (err: Error | null) => {
    if (finished) return;
    finished = true;
    close();
    if (queue.length > 0 && paused) {
      ending = err;
      return;
    }
    if (err) handler.onError(err);
    else handler.onComplete();
  };
  /** Aborted or timed out: nothing more is delivered. */
  const stop = (err: Error) => {
    queue.length = 0;
    paused = false;
    finish(err);
  };
  const deliver = (chunk: Buffer) => {
    if (paused) queue.push(chunk);
    else if (!handler.onData(chunk)) paused = true;
  };
  const resume = () => {
    paused = false;
    while (queue.length > 0 && !paused) {
      const next = queue.shift() as Buffer;
      if (!handler.onData(next)) paused = true;
    }
    if (!paused && ending !== undefined) {
      const end = ending;
      ending = undefined;
      if (end) handler.onError(end);
      else handler.onComplete();
    }
  };
  /** A reply that is not an answer (a refused handshake, an error frame first): one JSON error. */
  const refuse = (status: number, message: string, code: string | number) => {
    headed = true;
    handler.onHeaders(status, JSON_HEAD.slice(), () => undefined);
    handler.onData(Buffer.from(JSON.stringify({ error: { message, type: 'upstream_error', code: String(code) } })));
    finish(null);
  };

  handler.onConnect((err) => stop(err ?? codedError('upstream request aborted', 'UND_ERR_ABORTED')));

  ws.addEventListener('open', () => {
    if (!finished) ws.send(typeof request.body === 'string' ? request.body : request.body.toString('utf8'));
  });
  ws.addEventListener('message', (event) => {
    if (finished) return;
    const data: unknown = event.data;
    const text = typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer).toString('utf8');
    let frame: SparkFrame | undefined;
    try {
      frame = JSON.parse(text) as SparkFrame;
    } catch {
      return stop(codedError('Spark sent a frame that is not JSON', 'UPSTREAM_BAD_FRAME'));
    }
    idle();
    if (!headed) {
      const code = frame.header?.code ?? 0;
      if (code !== 0) return refuse(sparkErrorStatus(code), frame.header?.message ?? `Spark error ${code}`, code);
      headed = true;
      handler.onHeaders(200, SSE_HEAD.slice(), resume);
    }
    deliver(Buffer.from(`data: ${text}\n\n`));
    if (frame.payload?.choices?.status === 2 || frame.header?.status === 2 || (frame.header?.code ?? 0) !== 0) finish(null);
  });
  ws.addEventListener('close', () => {
    if (finished) return;
    if (!headed && refusal.status >= 400) {
      let message = `Spark refused the connection (HTTP ${refusal.status})`;
      try {
        const m = (JSON.parse(refusal.body) as { message?: unknown }).message;
        if (typeof m === 'string' && m !== '') message = m;
      } catch {
        /* not JSON: the status says enough */
      }
      return refuse(refusal.status, message, refusal.status);
    }
    finish(codedError(headed ? 'the Spark socket closed before the answer ended' : 'the Spark socket could not be opened', headed ? 'UPSTREAM_SOCKET_CLOSED' : 'UPSTREAM_SOCKET_FAILED'));
  });
}
