import { isTezsignerError } from '@tezsigner/core';

/** What a file-system error code means, and what to do about it, in plain words. */
const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'it does not exist (check the path)',
  EACCES: 'permission denied (check its owner and mode, or run as the user who owns it)',
  EPERM: 'operation not permitted (check its owner and mode, or run as the user who owns it)',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder, not a file',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EEXIST: 'it exists already',
};

/** What a failed file operation's error means, in plain words (`it does not exist (check the path)`), its code kept in brackets. */
export function fileErrorMeaning(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined) return err instanceof Error ? err.message : String(err);
  const meaning = FILE_ERRORS[code];
  return meaning === undefined ? code : `${meaning} [${code}]`;
}

/** `cannot open /x: it does not exist (check the path) [ENOENT]` for a Node file-system error, else undefined. */
export function describeFileError(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code, path, syscall } = err as NodeJS.ErrnoException;
  if (code === undefined || path === undefined) return undefined;
  return `cannot ${syscall ?? 'use'} ${path}: ${fileErrorMeaning(err)}`;
}

/** One line saying what went wrong, for a person. */
export function describeFailure(err: unknown): string {
  if (isTezsignerError(err)) return err.message;
  const file = describeFileError(err);
  if (file !== undefined) return file;
  if (err instanceof Error) return `unexpected failure: ${err.message.split('\n')[0] ?? ''}`;
  return `unexpected failure: ${String(err)}`;
}

/**
 * What a failed command prints on stderr: one line for a person, and the stack trace only when
 * a developer asks for it with TEZSIGNER_DEBUG=1.
 */
export function failureReport(err: unknown, env: Readonly<Record<string, string | undefined>>): string {
  const line = `tezsigner: error: ${describeFailure(err)}\n`;
  return env['TEZSIGNER_DEBUG'] && err instanceof Error && err.stack ? `${line}${err.stack}\n` : line;
}
