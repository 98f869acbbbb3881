// Flags shared by the commands, turned into the validated configuration.

import { ConfigError, loadConfig, type AgentConfig, type ConfigInputs } from '../config/config.ts';
import { existsSync } from 'node:fs';
import { UsageError, type IO } from './io.ts';

export interface CommonFlags {
  config?: string;
  clusterName?: string;
  namespace?: string[];
  excludeNamespace?: string[];
  listen?: string;
}

/** The flags of the commands that read a cluster (doctor, watch). */
export interface ClusterFlags extends CommonFlags {
  kubeconfig?: string;
  context?: string;
  logLevel?: string;
}

export function configFromFlags(flags: CommonFlags, io: IO): AgentConfig {
  try {
    const inputs: ConfigInputs = { env: io.env };
    if (flags.config) inputs.configFile = flags.config;
    if (flags.clusterName) inputs.clusterName = flags.clusterName;
    if (flags.namespace) inputs.namespaces = flags.namespace;
    if (flags.excludeNamespace) inputs.excludeNamespaces = flags.excludeNamespace;
    if (flags.listen) inputs.listen = flags.listen;
    return loadConfig(inputs);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/** --kubeconfig names a file that is there: a usage error (2) like --config's, not an unreachable
 *  cluster (3). */
export function requireKubeconfig(path: string | undefined): void {
  if (path !== undefined && !existsSync(path)) throw new UsageError(`--kubeconfig: no such file: ${path}`);
}
