// watch.initialList: the config names how each kind is first listed, and a bad value is an error
// naming the field and what it accepts.

import { describe, expect, it } from 'vitest';
import { ConfigError, applyConfigDocument, defaultAgentConfig } from '../src/config/config.ts';
import { settingsFrom } from '../src/cli/watch.ts';

describe('watch.initialList', () => {
  it('defaults to streaming lists, and reaches the reflectors as configured', () => {
    expect(settingsFrom(defaultAgentConfig()).reflector.initialList).toBe('stream');
    const cfg = applyConfigDocument({ watch: { initialList: 'paged' } }, defaultAgentConfig(), 'c.yaml');
    expect(settingsFrom(cfg).reflector.initialList).toBe('paged');
  });

  it.each([['list'], [true], [3], [null]])('rejects %j with the field and the accepted values', (v) => {
    expect(() => applyConfigDocument({ watch: { initialList: v } }, defaultAgentConfig(), 'c.yaml')).toThrow(ConfigError);
    expect(() => applyConfigDocument({ watch: { initialList: v } }, defaultAgentConfig(), 'c.yaml')).toThrow(/c\.yaml.*watch\.initialList.*stream or paged/);
  });
});
