// The object builders live in src/sim (the demo uses them too); tests import them from here.
export * from '../../src/sim/objects.ts';
export * from '../../src/sim/workloads.ts';
