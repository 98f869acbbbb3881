import type { Check, Finding } from './types.ts';
import type { PersistentVolumeClaim, StorageClass } from '../kube/types.ts';
import type { ClusterView } from '../kube/store.ts';
import { latestEvent, ref } from './helpers.ts';
import { quote } from '../util/redact.ts';
import type { ReasonDecl } from './reasons.ts';

const K8S_PV = 'https://kubernetes.io/docs/concepts/storage/persistent-volumes/';

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'PersistentVolumeClaimPending',
    kind: 'PersistentVolumeClaim',
    severity: 'warning',
    title: 'PersistentVolumeClaim not bound',
    description:
      "A claim Pending beyond its grace: its StorageClass does not exist, there is no class and no default one, `storageClassName: \"\"` with no PersistentVolume to bind, or the provisioner fails (its ProvisioningFailed Event says why). A claim of a WaitForFirstConsumer class that no pod has been scheduled with yet is waiting, not failing. The root cause of the pods waiting for it.",
    remediation: 'kubectl -n {namespace} describe pvc {name}; kubectl get storageclass; kubectl -n {namespace} get events --field-selector involvedObject.name={name}',
    runbookUrl: K8S_PV,
    graceSeconds: 120,
    layer: 1,
  },
  {
    reason: 'PersistentVolumeClaimLost',
    kind: 'PersistentVolumeClaim',
    severity: 'critical',
    title: 'PersistentVolumeClaim lost its volume',
    description: 'phase Lost: the PersistentVolume it was bound to no longer exists; its data is gone or detached, and the pods using it cannot start. The root cause of the pods waiting for it.',
    remediation: 'kubectl -n {namespace} describe pvc {name}; kubectl get pv {volume}; restore the volume from a backup, or delete and recreate the claim',
    facts: ['volume'],
    runbookUrl: K8S_PV,
    graceSeconds: 0,
    layer: 1,
  },
];

/** Why a Pending claim does not bind, or undefined when it is only waiting. */
function whyPending(view: ClusterView, c: PersistentVolumeClaim, now: number): string | undefined {
  const event = latestEvent(view, c, 'ProvisioningFailed', now) ?? latestEvent(view, c, 'FailedBinding', now);
  const said = event ? `: ${quote(event.message, 400)}` : '';
  const classesRead = view.source('StorageClass').status === 'synced';
  if (c.storageClass === '') return c.volumeName ? `asks for PersistentVolume ${quote(c.volumeName)}, which does not bind${said}` : `has storageClassName "" and no PersistentVolume matches it${said}`;
  let sc: StorageClass | undefined;
  if (c.storageClass === undefined) {
    sc = view.list('StorageClass').find((x) => x.isDefault);
    if (!sc && classesRead && !c.volumeName) return `names no StorageClass and the cluster has no default one: nothing provisions it${said}`;
  } else {
    sc = view.get('StorageClass', '', c.storageClass);
    if (!sc && classesRead) return `names StorageClass ${quote(c.storageClass)}, which does not exist${said}`;
  }
  // Waiting for its first consumer to be scheduled: not a fault yet.
  if (sc?.bindingMode === 'WaitForFirstConsumer' && c.selectedNode === undefined) return undefined;
  return `is not bound${sc ? ` (StorageClass ${quote(sc.meta.name)}, provisioner ${quote(sc.provisioner)})` : ''}${said || ': no ProvisioningFailed Event says why; the provisioner may not be running'}`;
}

export const pvcBinding: Check = {
  id: 'pvc-binding',
  roots: 'PersistentVolumeClaim',
  reads: ['StorageClass', 'Event'],
  description: 'PersistentVolumeClaims that do not bind (no class, no provisioner, no volume) or lost their volume.',
  needs: ['PersistentVolumeClaim'],
  evidence: ['Event', 'StorageClass'],
  reasons,
  *run(view, ctx) {
    for (const c of view.roots('PersistentVolumeClaim')) {
      if (c.meta.deletionTimestamp !== undefined) continue;
      if (c.phase === 'Lost') {
        const f: Finding = {
          reason: 'PersistentVolumeClaimLost',
          object: ref(c),
          message: `claim is Lost: its PersistentVolume ${quote(c.volumeName ?? '(unknown)')} no longer exists`,
          attributes: { volume: c.volumeName ?? '' },
          vars: { volume: c.volumeName ?? '' },
          urgent: true,
        };
        yield f;
        continue;
      }
      if (c.phase !== 'Pending') continue;
      const why = whyPending(view, c, ctx.now);
      if (!why) continue;
      const f: Finding = {
        reason: 'PersistentVolumeClaimPending',
        object: ref(c),
        message: `claim ${why}`,
        attributes: { storage_class: c.storageClass ?? '' },
      };
      if (c.meta.creationTimestamp !== undefined) f.since = c.meta.creationTimestamp;
      yield f;
    }
  },
};
