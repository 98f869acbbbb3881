import type { KindName } from '../kube/kinds.ts';
import type { ClusterView } from '../kube/store.ts';
import type { ObjectRef } from '../kube/types.ts';
import type { CheckConfig } from './config.ts';
import type { AttrValue, ReasonDecl, ReasonId } from './reasons.ts';
import type { Severity } from './severity.ts';

/** What a check says now about one object. */
export interface Finding {
  reason: ReasonId;
  object: ObjectRef;
  /** A sub-object (a container, a kind) that is part of the identity, only where needed. */
  sub?: string;
  /** Overrides the catalog severity for this occurrence (e.g. critical when 0 replicas are available). */
  severity?: Severity;
  message: string;
  /** When the problem started, from the objects' own timestamps (epoch ms). */
  since?: number;
  /** Skip the grace period (the object itself says the failure is final). */
  urgent?: boolean;
  attributes?: Record<string, AttrValue>;
  /** Extra values for the remediation template. */
  vars?: Record<string, string>;
  /** A remediation template for this occurrence, where the cause the objects show calls for another
   *  fix than the reason's default (the catalog's remediation). Filled like the catalog's. */
  remediation?: string;
}

export interface CheckContext {
  now: number;
  config: CheckConfig;
  /** Whether a namespace is within the namespaces being read. */
  inScope(namespace: string): boolean;
  /** Declares that part of the check could not be evaluated, and why (reported as skipped). */
  skip(detail: string): void;
}

/** A kind the check needs; an inner list means any one of those kinds will do. */
export type Need = KindName | readonly KindName[];

export interface Check {
  /** kebab-case; equals the file name. */
  id: string;
  description: string;
  /**
   * The kind whose objects the check judges, one at a time, and on which its findings are: it
   * iterates view.roots(kind), so an incremental pass re-judges only the objects an event touched.
   * Unset for checks about singletons (the operator, the registry), which re-run on every pass.
   */
  roots?: KindName;
  /**
   * The kinds other than its root whose objects it reads (a Deployment check reading its pods). An
   * incremental pass re-runs the check on a root only when the root itself, or an object of one of
   * these kinds related to it, changed. Unset: any change related to the root re-runs it.
   */
  reads?: readonly KindName[];
  needs: readonly Need[];
  /** Kinds it uses when they can be read, to say why (Warning Events): watched, listed and granted
   *  like its needs, but it runs without them; one that cannot be read is reported, as information. */
  evidence?: readonly KindName[];
  /** Kinds it judges each on its own (the configured custom resources): watched, listed and granted
   *  like needs, but one that cannot be read stops only its own part of the check, and is reported
   *  as a need would be. Unconfigured custom slots are left out (kinds.ts isConfigured). */
  covers?: readonly KindName[];
  /** Every reason it gives, with its severity, grace, title, remediation and runbook. */
  reasons: readonly ReasonDecl[];
  run(view: ClusterView, ctx: CheckContext): Iterable<Finding>;
}
