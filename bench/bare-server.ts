/**
 * Calibration for bench/append.ts: a bare Fastify app whose only route answers `{}` to any POST under /api/actions/,
 * so that append numbers can be read against what this machine's HTTP stack does with no storage at all.
 * Prints its URL on stdout.
 */
import Fastify from 'fastify';

const app = Fastify();
app.post('/api/actions/:sessionId', async () => ({}));
const url = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(url);
