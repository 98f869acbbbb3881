// sentinel-agent rbac [--config FILE]: the read-only ClusterRole and binding the config's
// customResources need (the shipped ClusterRole covers the built-in kinds), to pipe to kubectl.

import { CUSTOM_SLOTS, isConfigured } from '../kube/kinds.ts';
import { customResourceRbacYaml } from '../kube/rbac.ts';
import { configFromFlags, type CommonFlags } from './options.ts';
import type { IO } from './io.ts';

export function rbacCommand(flags: CommonFlags & { serviceAccountNamespace?: string }, io: IO): number {
  configFromFlags(flags, io);
  const kinds = CUSTOM_SLOTS.filter(isConfigured);
  if (kinds.length === 0) {
    io.stderr('sentinel-agent rbac: the config names no customResources; the shipped ClusterRole (deploy/base) covers every built-in kind\n');
    return 0;
  }
  io.stdout(customResourceRbacYaml(kinds, flags.serviceAccountNamespace ?? 'sentinel-agent'));
  return 0;
}
