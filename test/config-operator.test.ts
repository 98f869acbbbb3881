// operator.gatewayEnabledByDefault: what an omitted spec.gateway.enabled means for the operator
// version in use; a bad value is an error naming the field.

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
