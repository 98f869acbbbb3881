// Baseline: @kubernetes/client-node's own informers caching the same kinds as the agent (whole
// typed objects; ConfigMaps through the same label selector). Prints "ready <ms> <objects>" once
// every informer has listed, then stays up for RSS sampling.
import * as k8s from '@kubernetes/client-node';
import { KINDS } from '../src/kube/kinds.ts';

const CM_SELECTOR = KINDS.ConfigMap.labelSelector;

const t0 = performance.now();
const kc = new k8s.KubeConfig();
kc.loadFromFile(process.argv[2] as string);
// The client refuses a plain-HTTP server unless TLS checks are "skipped" (architecture.md §7); the
// fake API server is plain HTTP, so the baseline is given the flag it needs.
kc.loadFromOptions({ clusters: kc.clusters.map((c) => ({ ...c, skipTLSVerify: true })), users: kc.users, contexts: kc.contexts, currentContext: kc.getCurrentContext() });
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const disc = kc.makeApiClient(k8s.DiscoveryV1Api);
const net = kc.makeApiClient(k8s.NetworkingV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
type Lister = () => Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>;
const kinds: [string, Lister][] = [
  ['/api/v1/pods', () => core.listPodForAllNamespaces() as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>],
  ['/api/v1/services', () => core.listServiceForAllNamespaces() as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>],
  ['/api/v1/configmaps', () => core.listConfigMapForAllNamespaces({ labelSelector: CM_SELECTOR }) as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>],
  ['/apis/apps/v1/deployments', () => apps.listDeploymentForAllNamespaces() as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>],
  ['/apis/apps/v1/replicasets', () => apps.listReplicaSetForAllNamespaces() as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>],
  ['/apis/discovery.k8s.io/v1/endpointslices', () => disc.listEndpointSliceForAllNamespaces() as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>],
  ['/apis/networking.k8s.io/v1/ingresses', () => net.listIngressForAllNamespaces() as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>],
  ['/apis/mcpruntime.org/v1alpha1/mcpservers', () => custom.listClusterCustomObject({ group: 'mcpruntime.org', version: 'v1alpha1', plural: 'mcpservers' }) as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>],
  ['/apis/cert-manager.io/v1/certificates', () => custom.listClusterCustomObject({ group: 'cert-manager.io', version: 'v1', plural: 'certificates' }) as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>],
  ['/apis/cert-manager.io/v1/certificaterequests', () => custom.listClusterCustomObject({ group: 'cert-manager.io', version: 'v1', plural: 'certificaterequests' }) as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>],
];
const informers = kinds.map(([path, list]) => k8s.makeInformer(kc, path, list, path.endsWith('/configmaps') ? CM_SELECTOR : undefined));
await Promise.all(informers.map((i) => i.start()));
const objects = informers.reduce((n, i) => n + i.list().length, 0);
process.stdout.write(`ready ${Math.round(performance.now() - t0)} ${objects}\n`);
setInterval(() => {}, 1 << 30);
