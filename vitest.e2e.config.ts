import { defineConfig } from 'vitest/config';

// The e2e suite (npm run test:e2e): against the real control plane of testbed/, one test bed per
// file, files one at a time (two cores: a kube-apiserver, controllers, kwok and agents share them).
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
