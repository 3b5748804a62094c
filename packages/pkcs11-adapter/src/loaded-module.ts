import { backendUnavailable, configInvalid } from '@tezsigner/core';
import { ckrName, describePkcs11Error } from './pkcs11-failure.js';
import { loadPkcs11js, type Pkcs11js, type Pkcs11Module } from './pkcs11js-loader.js';

/**
 * A PKCS#11 library loaded and initialized once per process: the library's state is global to
 * the process (a second C_Initialize is refused, one C_Finalize ends every session), so every
 * token opened through the same path shares it. `generation` counts reinitializations: handles
 * from an older one are void.
 */
export interface LoadedModule {
  readonly path: string;
  readonly module: Pkcs11Module;
  readonly pkcs11: Pkcs11js;
  generation: number;
  users: number;
}

const loaded = new Map<string, LoadedModule>();

export function acquireModule(path: string): LoadedModule {
  let entry = loaded.get(path);
  if (entry === undefined) {
    const pkcs11 = loadPkcs11js();
    const module = new pkcs11.PKCS11();
    try {
      module.load(path);
    } catch (err) {
      throw configInvalid(`cannot load the PKCS#11 module ${path}: ${describePkcs11Error(err)}`, err);
    }
    entry = { path, module, pkcs11, generation: 0, users: 0 };
    initialize(entry);
    loaded.set(path, entry);
  }
  entry.users++;
  return entry;
}

/** Ends every session of the library and starts it again, so that it sees its tokens anew. */
export function reinitialize(entry: LoadedModule): void {
  finalize(entry);
  initialize(entry);
}

export function releaseModule(entry: LoadedModule): void {
  entry.users--;
  if (entry.users > 0) return;
  loaded.delete(entry.path);
  finalize(entry);
  try {
    entry.module.close();
  } catch {
    // unloading is best effort; the process may be ending anyway
  }
}

function initialize(entry: LoadedModule): void {
  try {
    // the binding's asynchronous calls run on several threads at once: the library must lock
    // (without this flag a module may assume one thread, and SoftHSM2 then crashes under load)
    entry.module.C_Initialize({ flags: entry.pkcs11.CKF_OS_LOCKING_OK });
  } catch (err) {
    if (ckrName(err) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
      throw backendUnavailable(`the PKCS#11 module ${entry.path} did not initialize: ${describePkcs11Error(err)}`, err);
    }
  }
  entry.generation++;
}

function finalize(entry: LoadedModule): void {
  try {
    entry.module.C_Finalize();
  } catch {
    // not initialized: nothing to end
  }
}
