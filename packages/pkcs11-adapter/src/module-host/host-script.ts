// The code of the module host, the child process that loads the PKCS#11 module. It travels as
// text (Function.prototype.toString) because the signer runs from sources, from a build and
// from a one-file bundle alike, and a script file beside it would not be where each expects it.
// So the two functions below must stay self-contained: no import, no name from outside, only
// `require` of Node's built-ins and the pkcs11js path they are given.
import type * as WorkerThreads from 'node:worker_threads';
import type { HostMessage, LaneAnswer, LaneRequest, LaneData, ParentMessage } from './host-protocol.js';

type Require = (id: string) => unknown;

/**
 * The host's main thread: it never calls the module, so it always answers. It starts one
 * thread (a lane) per session on the parent's request, passes requests to it and answers
 * back. A lane whose call hangs holds its own thread only; the parent kills this process
 * (SIGKILL) to get rid of a module that never returns.
 */
function hostMain(require: Require, laneSource: string): void {
  const { Worker } = require('node:worker_threads') as typeof WorkerThreads;
  const send = (message: HostMessage): void => {
    (process as unknown as { send: (m: HostMessage) => void }).send(message);
  };
  const lanes = new Map<number, WorkerThreads.Worker>();
  process.on('message', (raw) => {
    const message = raw as ParentMessage;
    if (message.type === 'lane') {
      const worker = new Worker(laneSource, { eval: true, workerData: message.data, stdout: false, stderr: false });
      lanes.set(message.lane, worker);
      worker.on('message', (answer: LaneAnswer) => send({ type: 'answer', lane: message.lane, answer }));
      worker.on('error', (err: Error) => send({ type: 'lane-failed', lane: message.lane, message: err.message }));
      worker.on('exit', () => {
        lanes.delete(message.lane);
        send({ type: 'lane-exit', lane: message.lane });
      });
    } else {
      lanes.get(message.lane)?.postMessage(message.request);
    }
  });
  // without the parent, nobody can use the module: end at once, even with threads stuck in it
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
  send({ type: 'up', pid: process.pid });
}

/**
 * A lane: one thread that calls the module synchronously, one call at a time, for the one
 * session the parent opens on it. A call that never returns stops this thread, nothing else.
 */
function laneMain(require: Require): void {
  const { parentPort, workerData } = require('node:worker_threads') as typeof WorkerThreads;
  const data = workerData as LaneData;
  const port = parentPort as WorkerThreads.MessagePort;
  type Binding = Record<string, (...args: unknown[]) => unknown> & { load(path: string): void };
  type Pkcs11 = Record<string, unknown> & { PKCS11: new () => Binding };
  let pkcs11: Pkcs11 | undefined;
  let module: Record<string, (...args: unknown[]) => unknown> | undefined;
  const call = (method: string, ...args: unknown[]): unknown => {
    if (module === undefined) throw new Error('the module is not loaded on this lane');
    const fn = module[method];
    if (!/^C_[A-Za-z]+$/.test(method) || typeof fn !== 'function') throw new Error(`no PKCS#11 function ${method}`);
    try {
      return fn.apply(module, args);
    } catch (err) {
      // pkcs11js names the function only for some calls: every error here says which one failed
      if (err instanceof Error && !(err as Error & { method?: unknown }).method) Object.assign(err, { method });
      throw err;
    }
  };
  // structured clone turns Buffers into Uint8Arrays: pkcs11js wants Buffers back
  const revive = (value: unknown): unknown => {
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (Array.isArray(value)) return value.map(revive);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
    return value;
  };
  const find = (session: unknown, template: unknown): unknown[] => {
    call('C_FindObjectsInit', session, template);
    try {
      const found: unknown[] = [];
      for (;;) {
        const batch = call('C_FindObjects', session, 64) as unknown[];
        if (batch.length === 0) return found;
        found.push(...batch);
      }
    } finally {
      call('C_FindObjectsFinal', session);
    }
  };
  const codeOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
  const operations: Record<string, (...args: unknown[]) => unknown> = {
    init() {
      // a lane made ready in advance was initialized already
      if (module !== undefined) return null;
      pkcs11 = require(data.addon) as Pkcs11;
      const instance = new pkcs11.PKCS11();
      instance.load(data.modulePath);
      module = instance;
      try {
        // the lanes call the module from several threads at once: it must lock
        call('C_Initialize', { flags: pkcs11.CKF_OS_LOCKING_OK });
      } catch (err) {
        if (!/CKR_CRYPTOKI_ALREADY_INITIALIZED/.test(codeOf(err))) throw err;
      }
      return null;
    },
    call: (method, args) => call(method as string, ...(args as unknown[])),
    find: (session, template) => find(session, template),
    attributes(session, handle, types) {
      return (types as number[]).map((type) => {
        try {
          const [attribute] = call('C_GetAttributeValue', session, handle, [{ type }]) as { value?: unknown }[];
          return attribute?.value ?? null;
        } catch (err) {
          if (/CKR_ATTRIBUTE_TYPE_INVALID|CKR_ATTRIBUTE_SENSITIVE/.test(codeOf(err))) return null;
          throw err;
        }
      });
    },
    sign(session, request) {
      const { reference, everyKey, cached, mechanism, data: digest, length } = request as {
        reference: unknown;
        everyKey: unknown;
        cached: unknown;
        mechanism: number;
        data: unknown;
        length: number;
      };
      let handle = cached;
      let found = false;
      const lookUp = (): unknown => {
        const handles = find(session, reference);
        found = true;
        if (handles.length === 1) return handles[0];
        // none: the key is gone, or the whole token (then the module sees no key at all)
        const tokenKeys = handles.length === 0 ? find(session, everyKey).length : handles.length;
        throw Object.assign(new Error(`${handles.length} private key objects match the key (${tokenKeys} on the token)`), { name: 'KeyLookupError', found: handles.length, tokenKeys });
      };
      if (handle === null) handle = lookUp();
      try {
        call('C_SignInit', session, { mechanism }, handle);
      } catch (err) {
        // a module may renumber private objects when its login ends (every session closed)
        if (found || !/CKR_(OBJECT|KEY)_HANDLE_INVALID/.test(codeOf(err))) throw err;
        handle = lookUp();
        call('C_SignInit', session, { mechanism }, handle);
      }
      const signature = call('C_Sign', session, digest, Buffer.alloc(length));
      return { handle: found ? handle : null, signature };
    },
    close(session) {
      try {
        call('C_CloseSession', session);
      } catch {
        // gone with its token already
      }
      process.exit(0);
    },
  };
  port.on('message', (request: LaneRequest) => {
    let answer: LaneAnswer;
    try {
      const operation = operations[request.op];
      if (operation === undefined) throw new Error(`no lane operation ${request.op}`);
      answer = { id: request.id, ok: true, value: operation(...(revive(request.args) as unknown[])) };
    } catch (err) {
      const fields = err instanceof Error ? (err as Error & { code?: unknown; method?: unknown; found?: unknown; tokenKeys?: unknown }) : undefined;
      answer = {
        id: request.id,
        ok: false,
        error: {
          name: fields?.name ?? 'Error',
          message: fields?.message ?? String(err),
          ...(typeof fields?.code === 'number' ? { code: fields.code } : {}),
          ...(typeof fields?.method === 'string' && fields.method !== '' ? { method: fields.method } : {}),
          ...(typeof fields?.found === 'number' ? { found: fields.found } : {}),
          ...(typeof fields?.tokenKeys === 'number' ? { tokenKeys: fields.tokenKeys } : {}),
        },
      };
    }
    port.postMessage(answer);
  });
}

/** The module host's script, as `node -` runs it: both functions, with a no-op for names a transpiler may add (`__name`). */
export function hostScript(): string {
  const shim = 'const __name = (target) => target;';
  const lane = `${shim}\n(${laneMain.toString()})(require);`;
  return `${shim}\n(${hostMain.toString()})(require, ${JSON.stringify(lane)});\n`;
}
