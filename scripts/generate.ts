// npm run generate: writes the files derived from the code (the ClusterRole from the checks' needs,
// the Collector config copy that kustomize can load and its variant with bearer-token auth on the
// OTLP receivers, the PrometheusRule from the plain rules file).
// Tests fail when a committed copy is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, parseDocument, stringify } from 'yaml';
import { CHECKS } from '../src/checks/registry.ts';
import { neededKinds } from '../src/engine/evaluate.ts';
import { SILENCE_KINDS } from '../src/engine/silences.ts';
import { clusterRoleYaml } from '../src/kube/rbac.ts';

const root = new URL('../', import.meta.url);
const out = (p: string, s: string): void => writeFileSync(new URL(p, root), s);

/** The shipped Collector config with the OTLP receivers requiring the agent's bearer token
 *  (bearertokenauth, the token from SENTINEL_AGENT_OTLP_TOKEN): deploy/components/collector-auth. */
export function collectorAuthConfig(shipped: string): string {
  const doc = parseDocument(shipped);
  doc.setIn(['extensions', 'bearertokenauth/agent'], doc.createNode({ scheme: 'Bearer', token: '${env:SENTINEL_AGENT_OTLP_TOKEN}' }));
  const exts = doc.getIn(['service', 'extensions']) as { items: unknown[]; add(v: unknown): void };
  exts.add('bearertokenauth/agent');
  for (const proto of ['grpc', 'http']) doc.setIn(['receivers', 'otlp', 'protocols', proto, 'auth'], doc.createNode({ authenticator: 'bearertokenauth/agent' }));
  doc.commentBefore = ` GENERATED from /otel-collector-config.yaml by npm run generate: the same, with the OTLP receivers\n requiring the agent's bearer token (SENTINEL_AGENT_OTLP_TOKEN, from the sentinel-agent-otlp-token Secret).\n${doc.commentBefore ?? ''}`;
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

export function generated(): Record<string, string> {
  const rules = parse(readFileSync(new URL('deploy/prometheus/sentinel-agent-rules.yaml', root), 'utf8')) as { groups: unknown[] };
  const promRule = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'sentinel-agent', namespace: 'sentinel-agent', labels: { 'app.kubernetes.io/name': 'sentinel-agent', role: 'alert-rules' } },
    spec: { groups: rules.groups },
  };
  return {
    'deploy/base/clusterrole.yaml': clusterRoleYaml([...neededKinds(CHECKS, true), ...SILENCE_KINDS]),
    'deploy/base/collector/otel-collector-config.yaml': `# GENERATED copy of /otel-collector-config.yaml (kustomize loads files only below its root); npm run generate.\n${readFileSync(new URL('otel-collector-config.yaml', root), 'utf8')}`,
    'deploy/components/collector-auth/otel-collector-config.yaml': collectorAuthConfig(readFileSync(new URL('otel-collector-config.yaml', root), 'utf8')),
    'deploy/components/prometheus-operator/prometheusrule.yaml': `# GENERATED from deploy/prometheus/sentinel-agent-rules.yaml; npm run generate.\n${stringify(promRule, { lineWidth: 0 })}`,
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  for (const [p, s] of Object.entries(generated())) out(p, s);
}
