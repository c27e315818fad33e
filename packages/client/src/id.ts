let lastMs = 0;
let counter = 0;
const pool = new Uint8Array(4096);
let at = pool.length;

function random16(): Uint8Array {
  if (at + 16 > pool.length) {
    const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
    if (c?.getRandomValues) c.getRandomValues(pool);
    else for (let i = 0; i < pool.length; i++) pool[i] = Math.floor(Math.random() * 256);
    at = 0;
  }
  const b = pool.slice(at, at + 16);
  at += 16;
  return b;
}

/**
 * A UUID version 7 (RFC 9562): 48-bit Unix time in ms, a 12-bit counter (ids made in the same millisecond sort in
 * creation order), then random bits from `crypto.getRandomValues`. Event ids are time-ordered so that the service's
 * (session, event id) index grows at its end instead of at a random page per event.
 */
export function uuid(): string {
  const b = random16();
  const now = Date.now();
  if (now === lastMs) counter = (counter + 1) & 0xfff;
  else {
    lastMs = now;
    counter = b[6]! & 0x7f;
  }
  b[0] = Math.floor(now / 2 ** 40) & 0xff;
  b[1] = Math.floor(now / 2 ** 32) & 0xff;
  b[2] = (now >>> 24) & 0xff;
  b[3] = (now >>> 16) & 0xff;
  b[4] = (now >>> 8) & 0xff;
  b[5] = now & 0xff;
  b[6] = 0x70 | (counter >>> 8);
  b[7] = counter & 0xff;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
