// The bench:real sections of BENCHMARKS.md: one per cluster size, written by `npm run bench:real`
// and kept as they are by `npm run bench`.

export const REAL_SECTION = /<!-- bench:real pods=(\d+) -->[\s\S]*?<!-- \/bench:real pods=\1 -->/g;

export function realSections(md: string): { pods: number; text: string }[] {
  return [...md.matchAll(REAL_SECTION)].map((x) => ({ pods: Number(x[1]), text: x[0] }));
}
