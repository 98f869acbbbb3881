// Telemetry names (product.md §4, contract) and the mapping of an incident transition to a log
// record's attributes. Metric attributes are bounded (kind, severity, reason, transition, signal,
// pass, state); object names only ever go into log records.

import { SeverityNumber, type Attributes } from '@opentelemetry/api';
import type { Severity } from '../../checks/severity.ts';
import type { Transition, TransitionType } from '../../engine/tracker.ts';

export const INSTRUMENTATION_SCOPE = 'sentinel-agent';

export const METRIC = {
  incidents: 'mcp_runtime.health.incidents',
  transitions: 'mcp_runtime.health.incident.transitions',
  duration: 'mcp_runtime.health.incident.duration',
  evaluationDuration: 'sentinel_agent.evaluation.duration',
  sourceUp: 'sentinel_agent.source.up',
  objects: 'sentinel_agent.store.objects',
  watchRestarts: 'sentinel_agent.watch.restarts',
  relists: 'sentinel_agent.watch.relists',
  watchEvents: 'sentinel_agent.watch.events',
  malformed: 'sentinel_agent.watch.malformed_lines',
  throttled: 'sentinel_agent.api.throttled',
  exportFailures: 'sentinel_agent.export.failures',
  exportDropped: 'sentinel_agent.export.dropped',
  reannounced: 'sentinel_agent.export.reannounced',
  suppressed: 'sentinel_agent.flood.suppressed',
} as const;

export function eventName(t: TransitionType): string {
  return `mcp_runtime.health.incident.${t}`;
}

export function severityOf(s: Severity): { n: SeverityNumber; text: string } {
  switch (s) {
    case 'critical':
      return { n: SeverityNumber.ERROR, text: 'ERROR' };
    case 'warning':
      return { n: SeverityNumber.WARN, text: 'WARN' };
    case 'info':
      return { n: SeverityNumber.INFO, text: 'INFO' };
  }
}

/** Semantic-convention name attributes where one exists for the kind. */
const SEMCONV_NAME: Readonly<Record<string, string>> = {
  Pod: 'k8s.pod.name',
  Deployment: 'k8s.deployment.name',
  ReplicaSet: 'k8s.replicaset.name',
  StatefulSet: 'k8s.statefulset.name',
  DaemonSet: 'k8s.daemonset.name',
  Job: 'k8s.job.name',
  CronJob: 'k8s.cronjob.name',
};

export function logAttributes(t: Transition): Attributes {
  const i = t.incident;
  const a: Attributes = {
    'incident.id': i.id,
    'incident.state': t.type === 'resolved' ? 'resolved' : 'open',
    'incident.check': i.check,
    'incident.reason': i.reason,
    'incident.severity': i.severity,
    'incident.remediation': i.remediation,
  };
  if (i.since) a['incident.since'] = i.since;
  if (i.runbookUrl) a['incident.runbook_url'] = i.runbookUrl;
  if (i.rootCauseId) a['incident.root_cause_id'] = i.rootCauseId;
  if (t.type === 'resolved' && t.durationS !== undefined) a['incident.duration_s'] = t.durationS;
  if (i.silence) {
    a['incident.silenced'] = true;
    a['incident.silence.source'] = i.silence.source;
    if (i.silence.reason) a['incident.silence.reason'] = i.silence.reason;
    if (i.silence.by) a['incident.silence.by'] = i.silence.by;
    if (i.silence.until) a['incident.silence.until'] = i.silence.until;
  }
  if (i.flapping) a['incident.flapping'] = true;
  if (i.object.namespace) a['k8s.namespace.name'] = i.object.namespace;
  a['k8s.object.kind'] = i.object.kind;
  a['k8s.object.name'] = i.object.name;
  if (i.object.uid) a['k8s.object.uid'] = i.object.uid;
  a['k8s.object.api_version'] = i.object.apiVersion;
  const named = SEMCONV_NAME[i.object.kind];
  if (named) a[named] = i.object.name;
  const container = i.attributes.container;
  if (typeof container === 'string') a['k8s.container.name'] = container;
  if (i.server) {
    a['mcp_runtime.server.name'] = i.server.name;
    a['mcp_runtime.server.namespace'] = i.server.namespace;
    if (i.server.teamID) a['mcp_runtime.team.id'] = i.server.teamID;
  }
  for (const [k, v] of Object.entries(i.attributes)) if (v !== undefined) a[`incident.attr.${k}`] = v;
  return a;
}
