import { shellWord } from '../util/redact.ts';
// Classifies an image pull error message (the kubelet's waiting.message) into the closed set of
// registry.failure values. Substrings follow MCP Runtime's own doctor (reference §4.4,
// classifyImagePullDiagnostic) plus rate limiting, refused connections and timeouts.

export const PULL_FAILURES = [
  'auth',
  'tls',
  'dns',
  'http_https_mismatch',
  'not_found',
  'connection_refused',
  'rate_limited',
  'timeout',
  'unknown',
] as const;

export type PullFailure = (typeof PULL_FAILURES)[number];

const RULES: readonly [PullFailure, (m: string) => boolean][] = [
  ['http_https_mismatch', (m) => m.includes('http: server gave http response to https client')],
  ['rate_limited', (m) => m.includes('toomanyrequests') || m.includes('429 too many requests') || m.includes('too many requests') || /\b429\b/.test(m)],
  [
    'tls',
    (m) =>
      m.includes('x509:') ||
      m.includes('certificate signed by unknown authority') ||
      m.includes("doesn't contain any ip sans") ||
      m.includes('cannot validate certificate') ||
      m.includes('tls: failed to verify certificate'),
  ],
  [
    'auth',
    (m) =>
      m.includes('no basic auth credentials') ||
      m.includes('pull access denied') ||
      m.includes('authorization failed') ||
      m.includes('401 unauthorized') ||
      m.includes('403 forbidden') ||
      m.includes('insufficient_scope') ||
      m.includes('unauthorized: authentication required') ||
      m.includes('denied: requested access'),
  ],
  ['dns', (m) => m.includes('no such host') || m.includes('server misbehaving') || (m.includes('lookup ') && m.includes('/v2/'))],
  ['connection_refused', (m) => m.includes('connection refused') || m.includes('no route to host') || m.includes('network is unreachable')],
  [
    'timeout',
    (m) =>
      m.includes('i/o timeout') ||
      m.includes('context deadline exceeded') ||
      m.includes('client.timeout exceeded') ||
      m.includes('tls handshake timeout') ||
      m.includes('timeout awaiting'),
  ],
  [
    'not_found',
    (m) =>
      m.includes('manifest unknown') ||
      m.includes('not found') ||
      m.includes('name unknown') ||
      m.includes('invalid tar header') ||
      m.includes('unexpected eof'),
  ],
];

export function classifyPullFailure(message: string | undefined): PullFailure {
  if (!message) return 'unknown';
  const m = message.toLowerCase();
  for (const [cls, test] of RULES) if (test(m)) return cls;
  return 'unknown';
}

export function pullFailureHint(cls: PullFailure, rawHost: string, rawImage: string, rawNamespace: string, platform = true): string {
  // Values from the pod, as shell words: the hint is pasted.
  const host = shellWord(rawHost);
  const image = shellWord(rawImage);
  const namespace = shellWord(rawNamespace);
  switch (cls) {
    case 'auth':
      if (!platform) return `The registry ${host} rejected the pull (no or wrong credentials, or no access to ${image}); check that the pull secrets of the pod hold valid credentials for ${host}: kubectl -n ${namespace} get pod -o jsonpath='{.items[*].spec.imagePullSecrets}'; kubectl -n ${namespace} get sa -o yaml | grep -A2 imagePullSecrets.`;
      return `The registry ${host} rejected the pull credentials; check the pull secret of the pod: kubectl -n ${namespace} get secret mcp-runtime-registry-pull; kubectl -n ${namespace} get sa mcp-workload -o jsonpath='{.imagePullSecrets}'; re-provision it if the UI_API_KEY of Sentinel was rotated.`;
    case 'tls':
      return `The node does not trust ${host}'s certificate or it lacks a SAN for that name: pull by the registry hostname (not its ClusterIP), or give the node runtime the registry CA.`;
    case 'dns':
      return `Nodes cannot resolve ${host}: add it to node DNS or /etc/hosts, or configure a containerd mirror for it.`;
    case 'http_https_mismatch':
      return `${host} answers plain HTTP but the runtime pulls over HTTPS: configure an insecure registry/mirror for exactly ${host} in the node runtime (k3s: /etc/rancher/k3s/registries.yaml) or serve the registry over TLS.`;
    case 'not_found':
      return `${image} does not exist in ${host}: push it (or fix the tag) and the kubelet will retry.`;
    case 'connection_refused':
      if (!platform) return `Nothing accepts connections at ${host}: check that the registry is up and that the nodes can reach it (firewall, proxy, port).`;
      return `Nothing accepts connections at ${host}: kubectl -n registry get pods,svc,endpointslices; check NetworkPolicy registry-allow-ingress admits namespace ${namespace}.`;
    case 'rate_limited':
      return `${host} is throttling pulls (HTTP 429): slow the rollout, authenticate pulls, or use a pull-through cache.`;
    case 'timeout':
      return `Pulls from ${host} time out: check the node-to-registry network path and the load and storage of the registry.`;
    case 'unknown':
      return `The pull error of the kubelet for ${image} is in the Events of the pod.`;
  }
}
