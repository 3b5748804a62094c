import { close, fstat, fsync, link, lstat, open, read, readdir, unlink, write } from 'node:fs';
import { promisify } from 'node:util';

// node:fs's callback calls, promisified, for the files read or written on every request (marks,
// key files, ledger entries): plain descriptors, not FileHandles (a FileHandle costs several
// times a descriptor to open and close), and not fs/promises (its path calls cost a few µs more
// CPU each). Their errors carry the same code and syscall.
export const openFd = promisify(open);
export const readFd = promisify(read);
export const writeFd = promisify(write);
export const fsyncFd = promisify(fsync);
export const fstatFd = promisify(fstat);
export const closeFd = promisify(close);
export const lstatPath = promisify(lstat);
export const linkPath = promisify(link);
export const unlinkPath = promisify(unlink);
export const listFolder = promisify(readdir);
