// operator.gatewayEnabledByDefault and platform.*: what the operator version and the platform's components are here;
// a bad value is an error naming the field.

import { describe, expect, it } from 'vitest';
import { ConfigError, applyConfigDocument, defaultAgentConfig } from '../src/config/config.ts';

describe('operator.gatewayEnabledByDefault', () => {
  it('defaults to off (the operator versions of the reference) and keeps the other operator fields', () => {
    expect(defaultAgentConfig().checks.operator.gatewayEnabledByDefault).toBe(false);
    const cfg = applyConfigDocument({ operator: { gatewayEnabledByDefault: true } }, defaultAgentConfig(), 'c.yaml');
    expect(cfg.checks.operator).toEqual({ namespace: 'mcp-runtime', deployment: 'mcp-runtime-operator-controller-manager', gatewayEnabledByDefault: true });
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
