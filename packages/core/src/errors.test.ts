import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as errors from './errors.js';
import { isTezsignerError, TezsignerError, watermarkRefused } from './errors.js';

// A second copy of this module, loaded from a file of its own: what a process holds when npm
// installs core twice (two versions, one nested under an adapter). Its class is another class.
let folder: string;
let other: typeof errors;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tezsigner-errors-copy-'));
  await copyFile(join(import.meta.dirname, 'errors.ts'), join(folder, 'errors.ts'));
  other = (await import(join(folder, 'errors.ts'))) as typeof errors;
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('TezsignerError across copies of core', () => {
  it('is a real second copy: its class is not this one', () => {
    expect(other.TezsignerError).not.toBe(TezsignerError);
    expect(Object.getPrototypeOf(other.watermarkRefused('x'))).not.toBe(TezsignerError.prototype);
  });

  it("recognises the other copy's errors, with their code, both ways", () => {
    const foreign = other.watermarkRefused('refusing to sign level 7 round 0: at or below the high watermark level 7 round 0');
    expect(isTezsignerError(foreign)).toBe(true);
    expect(isTezsignerError(foreign, 'WATERMARK_REFUSED')).toBe(true);
    expect(isTezsignerError(foreign, 'BAD_REQUEST')).toBe(false);
    expect(foreign instanceof TezsignerError).toBe(true);
    expect(other.isTezsignerError(watermarkRefused('x'), 'WATERMARK_REFUSED')).toBe(true);
    expect(watermarkRefused('x') instanceof other.TezsignerError).toBe(true);
  });

  it('does not take look-alikes for its errors', () => {
    const lookalike = Object.assign(new Error('refused'), { name: 'TezsignerError', code: 'WATERMARK_REFUSED' });
    expect(isTezsignerError(lookalike)).toBe(false);
    expect(lookalike instanceof TezsignerError).toBe(false);
    expect(isTezsignerError({ code: 'WATERMARK_REFUSED', message: 'x' })).toBe(false);
    expect(isTezsignerError(undefined)).toBe(false);
    // a code this copy does not know (a newer core's) is not claimed as one of its own
    const unknown = other.watermarkRefused('x');
    Object.defineProperty(unknown, 'code', { value: 'SOMETHING_NEW' });
    expect(isTezsignerError(unknown)).toBe(false);
  });

  it('keeps the usual instanceof for subclasses', () => {
    class Narrower extends TezsignerError {}
    expect(new Narrower('BAD_REQUEST', 'x') instanceof Narrower).toBe(true);
    expect(watermarkRefused('x') instanceof Narrower).toBe(false);
    expect(new Narrower('BAD_REQUEST', 'x') instanceof TezsignerError).toBe(true);
  });
});
