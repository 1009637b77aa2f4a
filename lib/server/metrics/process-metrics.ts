import { Counter, Gauge, Histogram, register } from 'prom-client';

/*
 * Figures each server process counts for itself, on prom-client's global registry. With
 * several processes (server.ts, MESHPLANE_PROCESSES) the primary sums them with
 * AggregatorRegistry (lib/server/metrics/endpoint.ts). This module may be loaded twice in one
 * process (by server.ts through tsx, and inside Next's bundle; prom-client itself is a
 * serverExternalPackage, so there is one registry): a metric is made once and reused.
 */

function once<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const apiRequestSeconds = once('meshplane_api_request_duration_seconds', () => new Histogram({
  name: 'meshplane_api_request_duration_seconds',
  help: 'Time to answer a request of the JSON API (/api/v1), by route template, method and status.',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
}));

export const pushSeconds = once('meshplane_push_duration_seconds', () => new Histogram({
  name: 'meshplane_push_duration_seconds',
  help: "Time of one host's push (delivery and the agent's answer), by outcome: applied, failed (the agent refused) or pending (no answer).",
  labelNames: ['outcome'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
}));

export const pushFailures = once('meshplane_push_failures_total', () => new Counter({
  name: 'meshplane_push_failures_total',
  help: 'Pushes that did not apply, by reason: the agent\'s error code (apply_failed, wrong_target, …), timeout, connection_refused, unreachable or bad_answer.',
  labelNames: ['reason'] as const,
}));

export const agentChannelsOpen = once('meshplane_agent_channels_open', () => new Gauge({
  name: 'meshplane_agent_channels_open',
  help: 'Agents\' channels the server holds open now, by transport: stream (WebSocket) or poll (a long-poll held; agents long-poll behind a proxy that does not pass upgrades).',
  labelNames: ['transport'] as const,
}));

export const dbPoolMax = once('meshplane_db_pool_max_connections', () => new Gauge({
  name: 'meshplane_db_pool_max_connections',
  help: 'Connections the server processes may open to PostgreSQL (the pools\' size, summed over processes).',
}));

/** A short, bounded label for why a push failed, from the error the recorder stores. */
export function failureReason(error: string): string {
  const refused = /^agent refused version \d+: ([a-z_]+)/.exec(error);
  if (refused) return refused[1];
  if (/^agent could not apply version/.test(error)) return 'apply_failed';
  if (/^address not allowed/.test(error)) return 'address_not_allowed';
  if (/^timed out/.test(error)) return 'timeout';
  if (/^connection refused/.test(error)) return 'connection_refused';
  if (/^TLS error/.test(error)) return 'tls';
  if (/^host name not found/.test(error)) return 'dns';
  if (/^(bad answer|HTTP status)/.test(error)) return 'bad_answer';
  return 'unreachable';
}
