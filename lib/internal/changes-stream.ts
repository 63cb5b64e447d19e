import { AppError } from "@/lib/errors";
import { CHANGE_HEARTBEAT_MS, CHANGE_STREAM_EVENTS, type ChangeEvent } from "./contract";
import type { ChangeHub } from "./changes-hub";

/** How long a proxy's request waits for the portal to listen before it is answered 503. */
const READY_WAIT_MS = 10_000;

/**
 * GET /api/internal/proxy/changes as Server-Sent Events (contract.ts, CHANGE_STREAM_EVENTS):
 * `ready` once this portal listens for changes, then one `change` event per change, a comment
 * every CHANGE_HEARTBEAT_MS. It ends when the portal's listening connection is lost (changes may
 * be missed until it is back: the proxy reconnects and gets a new `ready`) or the proxy goes away.
 */
export async function changeStreamResponse(hub: ChangeHub, signal: AbortSignal): Promise<Response> {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = false;
  let ended = false;
  let heartbeat: NodeJS.Timeout | undefined;
  const send = (text: string) => {
    if (!open) return;
    try {
      controller.enqueue(encoder.encode(text));
    } catch {
      end();
    }
  };
  const subscription = hub.subscribe({
    change: (event: ChangeEvent) => send(`event: ${CHANGE_STREAM_EVENTS.change}\ndata: ${JSON.stringify(event)}\n\n`),
    lost: () => end(true),
  });
  function end(closeStream = false) {
    const wasOpen = open;
    open = false;
    ended = true;
    clearInterval(heartbeat);
    subscription.unsubscribe();
    signal.removeEventListener("abort", onAbort);
    if (wasOpen && closeStream) {
      try {
        controller.close();
      } catch {
        // already closed by the client going away
      }
    }
  }
  const onAbort = () => end(true);
  signal.addEventListener("abort", onAbort);

  if (!(await subscription.ready(READY_WAIT_MS)) || signal.aborted) {
    end();
    throw new AppError("unavailable", "The portal can't listen for changes now (database unreachable); try again.");
  }
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      // The portal stopped listening after it answered ready: an empty stream, the proxy reconnects.
      if (ended) c.close();
      else open = true;
    },
    cancel: () => end(),
  });
  send(`event: ${CHANGE_STREAM_EVENTS.ready}\ndata: {}\n\n`);
  heartbeat = setInterval(() => send(": heartbeat\n\n"), CHANGE_HEARTBEAT_MS);
  heartbeat.unref();
  // no-transform: a compressing layer (Next's, a reverse proxy's) would hold events back.
  return new Response(stream, {
    status: 200,
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store, no-transform", "x-accel-buffering": "no" },
  });
}
