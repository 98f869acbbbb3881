// StatefulSets and DaemonSets as their controllers leave them (the platform's stateful parts and
// node agents), for tests, fixtures and the simulated cluster.

import { meta, type MetaOpts, type Raw } from './objects.ts';

export function statefulSet(name: string, o: MetaOpts & { replicas?: number; ready?: number } = {}): Raw {
  const replicas = o.replicas ?? 1;
  const ready = o.ready ?? replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { ...meta('StatefulSet', name, o), generation: 1 },
    spec: { replicas, serviceName: name, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:1.0` }] } } },
    status: { observedGeneration: 1, replicas, readyReplicas: ready, availableReplicas: ready, currentReplicas: replicas, updatedReplicas: replicas, currentRevision: `${name}-5d8f7c6b9`, updateRevision: `${name}-5d8f7c6b9` },
  };
}

export function daemonSet(name: string, o: MetaOpts & { desired?: number; ready?: number; misscheduled?: number; updated?: number } = {}): Raw {
  const desired = o.desired ?? 3;
  const ready = o.ready ?? desired;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { ...meta('DaemonSet', name, o), generation: 1 },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:1.0` }] } } },
    status: {
      observedGeneration: 1,
      desiredNumberScheduled: desired,
      currentNumberScheduled: desired,
      numberReady: ready,
      numberAvailable: ready,
      ...(desired - ready > 0 ? { numberUnavailable: desired - ready } : {}),
      numberMisscheduled: o.misscheduled ?? 0,
      updatedNumberScheduled: o.updated ?? desired,
    },
  };
}
