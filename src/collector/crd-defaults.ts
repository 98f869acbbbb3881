// What the installed MCPServer CRD says an omitted field means: newer operator versions turn the
// gateway on when spec.gateway.enabled is omitted, and say so as the schema's default (reference
// §8). Read once, live or from a dump; the config's operator.gatewayEnabledByDefault, when set,
// wins; without either the built-in default (off) stands.

import type { CheckConfig } from '../checks/config.ts';
import { isRecord } from '../util/json.ts';
import type { KubeClient } from './kube-client.ts';

export const MCPSERVER_CRD = 'mcpservers.mcpruntime.org';
export const MCPSERVER_CRD_PATH = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${MCPSERVER_CRD}`;

function at(o: unknown, ...path: string[]): unknown {
  let cur = o;
  for (const p of path) cur = isRecord(cur) ? cur[p] : undefined;
  return cur;
}

/** The default of spec.gateway.enabled in a CustomResourceDefinition object (the served storage
 *  version's schema, else any version's), or undefined when it declares none. */
export function gatewayDefaultOf(crd: unknown): boolean | undefined {
  if (at(crd, 'kind') !== 'CustomResourceDefinition' || at(crd, 'metadata', 'name') !== MCPSERVER_CRD) return undefined;
  const versions = at(crd, 'spec', 'versions');
  if (!Array.isArray(versions)) return undefined;
  const ordered = [...versions.filter((v) => at(v, 'storage') === true), ...versions.filter((v) => at(v, 'storage') !== true)];
  for (const v of ordered) {
    const d = at(v, 'schema', 'openAPIV3Schema', 'properties', 'spec', 'properties', 'gateway', 'properties', 'enabled', 'default');
    if (typeof d === 'boolean') return d;
  }
  return undefined;
}

/** Reads the installed CRD (get on that one CRD: the ClusterRole grants no other); undefined when
 *  it cannot be read or declares no default, with why. */
export async function readGatewayDefault(client: KubeClient): Promise<{ value?: boolean; note: string }> {
  try {
    const r = await client.get(MCPSERVER_CRD_PATH, { deadlineMs: 10_000, maxBytes: 8 << 20 });
    if (r.status !== 200) return { note: `the MCPServer CRD could not be read (HTTP ${r.status}): spec.gateway.enabled's default is the config's` };
    const value = gatewayDefaultOf(JSON.parse(r.body));
    return value === undefined ? { note: 'the MCPServer CRD declares no default for spec.gateway.enabled' } : { value, note: `the MCPServer CRD's default for spec.gateway.enabled is ${value}` };
  } catch (err) {
    return { note: `the MCPServer CRD could not be read (${(err as Error).message}): spec.gateway.enabled's default is the config's` };
  }
}

/** Takes the CRD's default unless the config set one. */
export function applyGatewayDefault(c: CheckConfig, value: boolean | undefined): void {
  if (value !== undefined && !c.operator.gatewayDefaultSet) c.operator = { ...c.operator, gatewayEnabledByDefault: value };
}
