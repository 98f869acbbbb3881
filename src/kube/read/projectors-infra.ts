// Projectors of what the workloads run on and what is said of them: Nodes (their health only),
// storage (claims and classes), cert-manager's issuers and Warning Events (evidence for the checks,
// kube/events.ts).

import type { CustomResource, Event, Issuer, Meta, Node, PersistentVolumeClaim, StorageClass } from '../types.ts';
import { displayKind, type CustomSlot } from '../kinds.ts';
import type { Reader } from './reader.ts';

type Rec = Record<string, unknown>;

export function node(r: Reader, meta: Meta, spec: Rec, status: Rec): Node {
  return {
    kind: 'Node',
    meta,
    unschedulable: r.bool(spec.unschedulable, 'spec.unschedulable') ?? false,
    conditions: r.conditions(status.conditions, 'status.conditions', 'Node'),
  };
}

/** Longest Event message kept (the API allows 1 KB for a note; core v1 messages run longer). */
export const MAX_EVENT_MESSAGE = 1024;

export function event(r: Reader, meta: Meta, o: Rec): Event {
  const about = r.rec(o.involvedObject, 'involvedObject') ?? r.rec(o.regarding, 'regarding') ?? {};
  const series = r.rec(o.series, 'series');
  const source = r.rec(o.source, 'source');
  const message = r.str(o.message, 'message') ?? r.str(o.note, 'note') ?? '';
  const last = r.time(series?.lastObservedTime, 'series.lastObservedTime') ?? r.time(o.lastTimestamp, 'lastTimestamp') ?? r.time(o.deprecatedLastTimestamp, 'deprecatedLastTimestamp') ?? r.time(o.eventTime, 'eventTime') ?? meta.creationTimestamp;
  const fieldPath = r.str(about.fieldPath, 'involvedObject.fieldPath');
  return {
    kind: 'Event',
    meta,
    about: {
      kind: r.share.intern(r.str(about.kind, 'involvedObject.kind') ?? ''),
      namespace: r.share.intern(r.str(about.namespace, 'involvedObject.namespace') ?? ''),
      name: r.share.intern(r.str(about.name, 'involvedObject.name') ?? ''),
      uid: r.str(about.uid, 'involvedObject.uid') || undefined,
      fieldPath: fieldPath || undefined,
    },
    reason: r.share.intern(r.str(o.reason, 'reason') ?? ''),
    message: message.length > MAX_EVENT_MESSAGE ? `${message.slice(0, MAX_EVENT_MESSAGE - 1)}…` : message,
    count: r.num(series?.count, 'series.count') ?? r.num(o.count, 'count') ?? r.num(o.deprecatedCount, 'deprecatedCount') ?? 1,
    last,
    warning: r.str(o.type, 'type') === 'Warning',
    from: r.share.internOpt(r.str(o.reportingComponent, 'reportingComponent') || r.str(o.reportingController, 'reportingController') || r.str(source?.component, 'source.component') || undefined),
  };
}

export function persistentVolumeClaim(r: Reader, meta: Meta, spec: Rec, status: Rec, o: Rec): PersistentVolumeClaim {
  const ann = r.rec(r.rec(o.metadata, 'metadata')?.annotations, 'metadata.annotations');
  const phase = r.str(status.phase, 'status.phase');
  return {
    kind: 'PersistentVolumeClaim',
    meta,
    phase: phase ? r.share.intern(phase) : undefined,
    storageClass: r.share.internOpt(r.str(spec.storageClassName, 'spec.storageClassName')),
    volumeName: r.str(spec.volumeName, 'spec.volumeName') || undefined,
    selectedNode: r.share.internOpt(r.str(ann?.['volume.kubernetes.io/selected-node'], 'metadata.annotations') || undefined),
  };
}

export function storageClass(r: Reader, meta: Meta, o: Rec): StorageClass {
  const ann = r.rec(r.rec(o.metadata, 'metadata')?.annotations, 'metadata.annotations');
  return {
    kind: 'StorageClass',
    meta,
    provisioner: r.share.intern(r.str(o.provisioner, 'provisioner') ?? ''),
    bindingMode: r.share.intern(r.str(o.volumeBindingMode, 'volumeBindingMode') ?? 'Immediate'),
    isDefault: ann?.['storageclass.kubernetes.io/is-default-class'] === 'true' || ann?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true',
  };
}

const ISSUER_TYPES = ['acme', 'ca', 'selfSigned', 'vault', 'venafi'] as const;

export function issuer<K extends 'Issuer' | 'ClusterIssuer'>(r: Reader, kind: K, meta: Meta, spec: Rec, status: Rec): Issuer<K> {
  return {
    kind,
    meta,
    type: ISSUER_TYPES.find((t) => spec[t] !== undefined) ?? '',
    conditions: r.conditions(status.conditions, 'status.conditions', kind),
  };
}

/** A configured custom resource: what kstatus reads (its generation, the generation its controller
 *  last observed, and the Ready and Stalled conditions). */
export function customResource<K extends CustomSlot>(r: Reader, kind: K, meta: Meta, status: Rec, o: Rec): CustomResource<K> {
  const md = r.rec(o.metadata, 'metadata');
  const out: CustomResource<K> = { kind, meta, resourceKind: displayKind(kind), conditions: r.conditions(status.conditions, 'status.conditions', kind) };
  const generation = r.num(md?.generation, 'metadata.generation');
  if (generation !== undefined) out.generation = generation;
  const observed = r.num(status.observedGeneration, 'status.observedGeneration');
  if (observed !== undefined) out.observedGeneration = observed;
  return out;
}
