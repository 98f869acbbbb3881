import type { Check, Finding } from './types.ts';
import { containerImage, podSince, plural, ref } from './helpers.ts';
import { quote } from '../util/redact.ts';
import type { ContainerState, ContainerStatus } from '../kube/types.ts';
import { K8S_DEBUG_PODS, type ReasonDecl } from './reasons.ts';

/** Describes an exit code the way a person debugging it needs it. */
export function exitDescription(code: number | undefined, signal?: number): string {
  if (code === undefined) return signal !== undefined ? `signal ${signal}` : 'unknown exit code';
  const sig = code > 128 && code < 160 ? code - 128 : undefined;
  const names: Record<number, string> = { 9: 'SIGKILL', 15: 'SIGTERM', 6: 'SIGABRT', 11: 'SIGSEGV', 2: 'SIGINT' };
  return sig !== undefined ? `exit code ${code} (${names[sig] ?? `signal ${sig}`})` : `exit code ${code}`;
}

/**
 * The remediation for a process that never ran, where there are no logs to read: the runtime could
 * not start the command (StartError, ContainerCannotRun; exit 128, 127 command not found, 126 not
 * executable). Undefined when the process ran and exited: its logs say why.
 */
export function startFailure(term: ContainerState): string | undefined {
  const code = term.exitCode;
  const never = term.reason === 'StartError' || term.reason === 'ContainerCannotRun' || code === 128 || code === 127 || code === 126;
  if (!never) return undefined;
  const what = code === 127 ? 'its command was not found in the image' : code === 126 ? 'its command is not executable' : 'the runtime could not start its command';
  return `The process never started (${what}), so there are no logs to read. Check the command and args of container {container} against the entrypoint of image {image}: kubectl -n {namespace} get pod {name} -o jsonpath='{.spec.containers[?(@.name=="{container}")].command}'; kubectl -n {namespace} describe pod {name}`;
}

export function containerLabel(c: ContainerStatus): string {
  return `${c.init ? 'init container' : 'container'} "${c.name}"`;
}

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'CrashLoopBackOff',
    kind: 'Pod',
    severity: 'critical',
    title: 'Container crash-looping',
    description: 'A container or init container is waiting with reason CrashLoopBackOff: it keeps exiting and the kubelet backs off restarting it.',
    remediation: 'Read why it exits: kubectl -n {namespace} logs {name} -c {container} --previous; kubectl -n {namespace} describe pod {name}',
    facts: ['container', 'image'],
    runbookUrl: K8S_DEBUG_PODS,
    graceSeconds: 0,
    layer: 2,
  },
];

export const podCrashLoop: Check = {
  id: 'pod-crash-loop',
  roots: 'Pod',
  reads: [],
  description: 'Containers and init containers waiting in CrashLoopBackOff.',
  needs: ['Pod'],
  reasons,
  *run(view) {
    for (const p of view.roots('Pod')) {
      if (p.meta.deletionTimestamp !== undefined) continue;
      const looping = p.containers.filter((c) => c.current.state === 'waiting' && c.current.reason === 'CrashLoopBackOff');
      const c = looping[0];
      if (!c) continue;
      const last = c.last?.state === 'terminated' ? c.last : undefined;
      let message = `${containerLabel(c)} is in CrashLoopBackOff: ${exitDescription(last?.exitCode, last?.signal)}, ${plural(c.restartCount, 'restart')}`;
      if (last?.reason && last.reason !== 'Error' && last.reason !== 'Completed') message += ` (last termination: ${last.reason})`;
      if (last?.message) message += `: "${quote(last.message, 500)}"`;
      if (looping.length > 1) message += `; ${plural(looping.length - 1, 'more container')} also crash-looping`;
      const attributes: Finding['attributes'] = { container: c.name, restart_count: c.restartCount, init_container: c.init, waiting_reason: 'CrashLoopBackOff' };
      if (last?.exitCode !== undefined) attributes.exit_code = last.exitCode;
      if (last?.reason) attributes.last_termination_reason = last.reason;
      const f: Finding = { reason: 'CrashLoopBackOff', object: ref(p), message, attributes, vars: { container: c.name, image: containerImage(p, c) } };
      const start = last ? startFailure(last) : undefined;
      if (start) f.remediation = start;
      const since = podSince(p);
      if (since !== undefined) f.since = since;
      yield f;
    }
  },
};
