// Where incidents go: the sink interface the agent feeds after every pass that changed something,
// and the sinks that need nothing of their own (the structured log, the OpenTelemetry signals).
// The sinks with an endpoint of their own (Kubernetes Events, Sentinel's ingest) are beside this
// file, on the delivery queue.

import type { Transition } from '../engine/tracker.ts';
import type { Logger } from '../util/log.ts';
import type { Telemetry } from './otel/telemetry.ts';

export interface IncidentSink {
  name: string;
  /** Called after every pass that changed something; must not throw (it is isolated anyway). */
  transitions(ts: readonly Transition[]): void;
  /** Final flush on shutdown. */
  flush?(): Promise<void>;
}

/** Logs every transition as a structured line: the agent's own record of what it announced. */
export function logSink(log: Logger): IncidentSink {
  return {
    name: 'log',
    transitions(ts: readonly Transition[]) {
      for (const t of ts) {
        const i = t.incident;
        // Incidents are the cluster's news, not the agent's errors: info, whatever their severity.
        log('info', `incident ${t.type}`, {
          incident: i.id,
          reason: i.reason,
          severity: i.severity,
          object: `${i.object.kind} ${i.object.namespace ? `${i.object.namespace}/` : ''}${i.object.name}`,
          message: i.message,
          rootCauseId: i.rootCauseId,
          durationS: t.durationS,
          ...(i.silence ? { silenced: `${i.silence.source}${i.silence.by ? ` ${i.silence.by}` : ''}${i.silence.reason ? `: ${i.silence.reason}` : ''}` } : {}),
          ...(i.flapping ? { flapping: true } : {}),
        });
      }
    },
  };
}

/** The telemetry as an incident sink, fed by the agent. */
export function telemetrySink(t: Telemetry): IncidentSink {
  return { name: 'otel', transitions: (ts) => t.transitions(ts), flush: () => t.flush() };
}

