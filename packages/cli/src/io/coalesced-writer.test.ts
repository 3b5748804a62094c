import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { COALESCE_CHARS, COALESCE_MS, coalescedWriter } from './coalesced-writer.js';

describe('coalescedWriter', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('hands the lines written within the window on together once it ends, in order', () => {
    const out: string[] = [];
    const writer = coalescedWriter((text) => out.push(text));
    writer.write('a\n');
    vi.advanceTimersByTime(COALESCE_MS - 1);
    writer.write('b\n');
    expect(out).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(out).toEqual(['a\nb\n']);
    writer.write('c\n');
    vi.advanceTimersByTime(COALESCE_MS);
    expect(out).toEqual(['a\nb\n', 'c\n']);
  });

  it('hands pending lines on at once when they reach the size limit', () => {
    const out: string[] = [];
    const writer = coalescedWriter((text) => out.push(text));
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < COALESCE_CHARS / line.length - 1; i++) writer.write(line);
    expect(out).toEqual([]);
    writer.write(line);
    expect(out).toHaveLength(1);
    expect(out[0]).toHaveLength(COALESCE_CHARS);
    vi.advanceTimersByTime(COALESCE_MS);
    expect(out).toHaveLength(1);
  });

  it('hands pending lines on at once when flushed, and nothing twice', () => {
    const out: string[] = [];
    const writer = coalescedWriter((text) => out.push(text));
    writer.write('a\n');
    writer.flush();
    expect(out).toEqual(['a\n']);
    vi.advanceTimersByTime(COALESCE_MS);
    writer.flush();
    expect(out).toEqual(['a\n']);
  });
});
