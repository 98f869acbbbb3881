import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApiServer } from '../../src/sim/apiserver.ts';
import type { FakeApiServerOptions } from '../../src/sim/protocol.ts';
import type { Raw } from './objects.ts';

/** A fake API server holding `objs`, started, with a kubeconfig file pointing at it. */
export async function fakeCluster(objs: Raw[], opts: FakeApiServerOptions = {}): Promise<{ api: FakeApiServer; kubeconfig: string }> {
  const api = new FakeApiServer(opts);
  api.apply(...objs);
  const url = await api.start();
  const dir = mkdtempSync(join(tmpdir(), 'sa-cluster-'));
  writeFileSync(join(dir, 'kubeconfig'), api.kubeconfig(url));
  return { api, kubeconfig: join(dir, 'kubeconfig') };
}
