// operator.gatewayEnabledByDefault and platform.*: what the operator version and the platform's components are here;
// a bad value is an error naming the field.

import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, applyConfigDocument, defaultAgentConfig } from '../src/config/config.ts';
import { gatewayDefaultOf } from '../src/collector/crd-defaults.ts';
import { healthyPlatform, healthyServer } from './support/objects.ts';
import { cli } from './support/cli.ts';

describe('operator.gatewayEnabledByDefault', () => {
  it('defaults to off (the operator versions of the reference) and keeps the other operator fields', () => {
    expect(defaultAgentConfig().checks.operator.gatewayEnabledByDefault).toBe(false);
    const cfg = applyConfigDocument({ operator: { gatewayEnabledByDefault: true } }, defaultAgentConfig(), 'c.yaml');
    expect(cfg.checks.operator).toEqual({ namespace: 'mcp-runtime', deployment: 'mcp-runtime-operator-controller-manager', gatewayEnabledByDefault: true, gatewayDefaultSet: true });
  });

  it.each([['yes'], [1], [null]])('rejects %j with the field', (v) => {
    expect(() => applyConfigDocument({ operator: { gatewayEnabledByDefault: v } }, defaultAgentConfig(), 'c.yaml')).toThrow(ConfigError);
    expect(() => applyConfigDocument({ operator: { gatewayEnabledByDefault: v } }, defaultAgentConfig(), 'c.yaml')).toThrow(/c\.yaml.*operator\.gatewayEnabledByDefault.*true or false/);
  });
});

describe('platform components', () => {
  it('each list of namespace/deployment replaces its default; the others stay', () => {
    const cfg = applyConfigDocument({ platform: { sentinel: ['mcp-observability/mcp-ingest'], ingressClass: 'nginx', ingressController: 'ingress-nginx/ingress-nginx-controller' } }, defaultAgentConfig(), 'c.yaml');
    expect(cfg.checks.platform.sentinel).toEqual(['mcp-observability/mcp-ingest']);
    expect(cfg.checks.platform.ingressController).toEqual(['ingress-nginx/ingress-nginx-controller']);
    expect(cfg.checks.platform.ingressClass).toBe('nginx');
    expect(cfg.checks.platform.certManager).toEqual(defaultAgentConfig().checks.platform.certManager);
  });

  it.each([[{ sentinel: ['mcp-sentinel'] }, /platform\.sentinel\[0\].*namespace\/deployment.*"mcp-sentinel"/], [{ certManager: [3] }, /platform\.certManager\[0\]/], [{ traefik: [] }, /platform: unknown key "traefik"/]])('rejects %j naming where', (platform, msg) => {
    expect(() => applyConfigDocument({ platform }, defaultAgentConfig(), 'c.yaml')).toThrow(ConfigError);
    expect(() => applyConfigDocument({ platform }, defaultAgentConfig(), 'c.yaml')).toThrow(msg);
  });
});

describe("the MCPServer CRD's default for spec.gateway.enabled", () => {
  const crd = (enabled: Record<string, unknown>): Record<string, unknown> => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'mcpservers.mcpruntime.org' },
    spec: { group: 'mcpruntime.org', versions: [{ name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { gateway: { type: 'object', properties: { enabled: { type: 'boolean', ...enabled } } } } } } } } }] },
  });

  it('is read from the storage version of that CRD only', () => {
    expect(gatewayDefaultOf(crd({ default: true }))).toBe(true);
    expect(gatewayDefaultOf(crd({ default: false }))).toBe(false);
    expect(gatewayDefaultOf(crd({}))).toBeUndefined();
    expect(gatewayDefaultOf({ ...crd({ default: true }), metadata: { name: 'other.mcpruntime.org' } })).toBeUndefined();
    expect(gatewayDefaultOf({ ...crd({ default: 'yes' }) })).toBeUndefined();
  });

  it('in a dump, turns the gateway on for servers that omit it, unless the config says otherwise', async () => {
    const objs = [...healthyServer('plain'), ...healthyPlatform()];
    const dump = (extra: unknown[]): string => JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...objs, ...extra] });
    const reasons = async (extra: unknown[], args: string[] = []): Promise<string[]> => {
      const r = await cli(['doctor', '--from-file', '-', '-o', 'json', ...args], { stdin: dump(extra) });
      return (JSON.parse(r.stdout) as { incidents: { reason: string }[] }).incidents.map((i) => i.reason);
    };
    expect(await reasons([])).toEqual([]);
    expect(await reasons([crd({ default: true })])).toEqual(['GatewayNotReady']);
    const dir = mkdtempSync(join(tmpdir(), 'sa-gw-'));
    writeFileSync(join(dir, 'c.yaml'), 'operator: {gatewayEnabledByDefault: false}\n');
    expect(await reasons([crd({ default: true })], ['--config', join(dir, 'c.yaml')])).toEqual([]);
  });
});
