import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import client from 'prom-client';
import type { FlushRoundObserver } from '../live/connection.js';

/**
 * Prometheus metrics at `GET /metrics` (text exposition format, prom-client): process metrics, HTTP requests by route
 * and status, events appended by kind, group-commit batch sizes and durations, live connections, live-feed flush
 * rounds (how long writing a round of events to every subscriber took: the fan-out part of delivery latency).
 */
export const metricsPlugin = fp(async (app: FastifyInstance) => {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'tether_' });
  const requests = new client.Counter({
    name: 'tether_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: 'tether_http_request_duration_seconds',
    help: 'HTTP request duration in seconds',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const events = new client.Counter({
    name: 'tether_events_appended_total',
    help: 'Events committed, by kind',
    labelNames: ['kind'],
    registers: [registry],
  });
  const batch = new client.Histogram({
    name: 'tether_group_commit_batch_size',
    help: 'Events per committed transaction',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2000],
    registers: [registry],
  });
  const commitMs = new client.Histogram({
    name: 'tether_group_commit_duration_seconds',
    help: 'Duration of one group-commit transaction in seconds',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [registry],
  });
  new client.Gauge({
    name: 'tether_live_connections',
    help: 'Open live-feed connections (WebSocket and SSE)',
    registers: [registry],
    collect() {
      this.set(app.hub.stats.totalConnections);
    },
  });

  const round = new client.Histogram({
    name: 'tether_live_flush_round_seconds',
    help: 'Duration of one live-feed flush round (a write to every connection with queued messages) in seconds',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  // The live routes (app.live, this app's own output) are registered after this plugin: read them once ready.
  let writesSeen = 0;
  new client.Counter({
    name: 'tether_live_socket_writes_total',
    help: 'Live-feed writes to sockets (about one per connection per flush round)',
    registers: [registry],
    collect() {
      const writes = app.live?.output.writes ?? 0;
      this.inc(writes - writesSeen);
      writesSeen = writes;
    },
  });
  const onRound: FlushRoundObserver = (ms) => round.observe(ms / 1000);
  app.addHook('onReady', async () => void app.live?.output.roundObservers.add(onRound));

  app.committer.onBatch = (size, ms) => {
    batch.observe(size);
    commitMs.observe(ms / 1000);
  };
  // Label children are looked up once per label set: prom-client hashes the label object on every inc/observe
  // otherwise, which showed in the profile of single-event appends and ingest. A commit counts its events per kind
  // first and increments each child once: a child's inc() still hashes its labels (~120 bytes of garbage per event in
  // 1,000-event ingest batches, issue 18).
  const byKind = new Map<string, client.Counter.Internal>();
  const counts = new Map<string, number>();
  app.committer.onCommit((outcomes) => {
    for (const o of outcomes) {
      if (!o.ok) continue;
      for (const e of o.committed) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
    }
    for (const [kind, n] of counts) {
      let c = byKind.get(kind);
      if (!c) byKind.set(kind, (c = events.labels({ kind })));
      c.inc(n);
    }
    counts.clear();
  });
  const byRoute = new Map<string, { count: client.Counter.Internal; time: client.Histogram.Internal<string> }>();
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const key = `${req.method} ${reply.statusCode} ${route}`;
    let m = byRoute.get(key);
    if (!m) {
      m = {
        count: requests.labels({ method: req.method, route, status: reply.statusCode }),
        time: duration.labels({ method: req.method, route }),
      };
      if (byRoute.size < 10_000) byRoute.set(key, m);
    }
    m.count.inc();
    m.time.observe(reply.elapsedTime / 1000);
    done();
  });
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics (text format); needs read scope when keys are enabled',
        produces: ['text/plain'],
      },
    },
    async (_req, reply) => {
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    },
  );
});
