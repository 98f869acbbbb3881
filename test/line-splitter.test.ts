// The watch stream's line splitter: any lines, cut into chunks anywhere (inside a multi-byte
// character too), come out as the same lines; a line past the bound is refused, not buffered.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LineSplitter } from '../src/collector/kube-client.ts';

describe('LineSplitter', () => {
  it('any lines in any chunking give the same lines', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', '{', '"', 'é', '€', '😀', ' ', '\\') , minLength: 1, maxLength: 40 }), { maxLength: 20 }), fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 10 }), fc.boolean(), (lines, cuts, trailingNewline) => {
        const bytes = Buffer.from(lines.join('\n') + (trailingNewline ? '\n' : ''));
        const got: string[] = [];
        const s = new LineSplitter(1 << 20, (l) => got.push(l));
        let at = 0;
        for (let i = 0; at < bytes.length; i++) {
          const n = cuts[i % cuts.length] ?? 1;
          expect(s.push(bytes.subarray(at, at + n))).toBe(true);
          at += n;
        }
        s.end();
        expect(got).toEqual(lines.filter((l) => l.trim() !== ''));
      }),
      { numRuns: 2000 },
    );
  });

  it('a line past the bound is refused whether it arrives whole or in pieces, and nothing of it is kept', () => {
    const got: string[] = [];
    const s = new LineSplitter(100, (l) => got.push(l));
    expect(s.push(Buffer.from('ok\n'))).toBe(true);
    expect(s.push(Buffer.alloc(60, 0x61))).toBe(true);
    expect(s.push(Buffer.alloc(60, 0x61))).toBe(false);
    const t = new LineSplitter(100, (l) => got.push(l));
    expect(t.push(Buffer.alloc(101, 0x61))).toBe(false);
    expect(got).toEqual(['ok']);
  });
});
