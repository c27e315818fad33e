/** One Server-Sent Events message (WHATWG HTML §9.2): `data` lines joined with "\n"; `id` when the message had one. */
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/**
 * Parses a `text/event-stream` body into messages. Comment lines (`: ping …`) and `retry:` are skipped but call `onActivity`,
 * so a caller can detect a stalled connection. Ends when the stream ends; throws what the reader throws (e.g. abort).
 */
export async function* parseSse(body: ReadableStream<Uint8Array>, onActivity?: () => void): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  let data: string[] = [];
  let id: string | undefined;
  let event: string | undefined;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      onActivity?.();
      buf += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + (buf[nl] === '\r' && buf[nl + 1] === '\n' ? 2 : 1));
        if (line === '') {
          if (data.length) {
            const msg: SseMessage = { data: data.join('\n') };
            if (id !== undefined) msg.id = id;
            if (event !== undefined) msg.event = event;
            yield msg;
          }
          data = [];
          id = undefined;
          event = undefined;
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'data') data.push(value);
        else if (field === 'id') id = value;
        else if (field === 'event') event = value;
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
