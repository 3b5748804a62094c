import { describe, expect, it } from 'vitest';
import { coalescedWriter } from './coalesced-writer.js';

const nextTurn = () => new Promise((done) => setImmediate(done));

describe('coalescedWriter', () => {
  it('hands the lines of one turn on together at the next, in order', async () => {
    const out: string[] = [];
    const writer = coalescedWriter((text) => out.push(text));
    writer.write('a\n');
    writer.write('b\n');
    expect(out).toEqual([]);
    await nextTurn();
    expect(out).toEqual(['a\nb\n']);
    writer.write('c\n');
    await nextTurn();
    expect(out).toEqual(['a\nb\n', 'c\n']);
  });

  it('hands pending lines on at once when flushed, and nothing twice', async () => {
    const out: string[] = [];
    const writer = coalescedWriter((text) => out.push(text));
    writer.write('a\n');
    writer.flush();
    expect(out).toEqual(['a\n']);
    await nextTurn();
    writer.flush();
    expect(out).toEqual(['a\n']);
  });
});
