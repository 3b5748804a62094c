// The messages between the signer, the module host's main thread and its lanes.

/** What a lane is started with. */
export interface LaneData {
  /** the resolved path of pkcs11js (the parent's resolution: the host runs from no file of its own) */
  readonly addon: string;
  readonly modulePath: string;
}

export type LaneOperation = 'init' | 'call' | 'find' | 'attributes' | 'sign' | 'close';

export interface LaneRequest {
  readonly id: number;
  readonly op: LaneOperation;
  readonly args: readonly unknown[];
}

/** An error as it crossed the process boundary: a pkcs11js error keeps its CKR_ name, code and method. */
export interface RemoteErrorFields {
  readonly name: string;
  readonly message: string;
  readonly code?: number;
  readonly method?: string;
  /** a key lookup that did not find exactly one private key: how many it found */
  readonly found?: number;
  /** and how many private keys the token shows at all */
  readonly tokenKeys?: number;
}

export type LaneAnswer = { readonly id: number; readonly ok: true; readonly value: unknown } | { readonly id: number; readonly ok: false; readonly error: RemoteErrorFields };

export type ParentMessage =
  | { readonly type: 'lane'; readonly lane: number; readonly data: LaneData }
  | { readonly type: 'request'; readonly lane: number; readonly request: LaneRequest };

export type HostMessage =
  | { readonly type: 'up'; readonly pid: number }
  | { readonly type: 'answer'; readonly lane: number; readonly answer: LaneAnswer }
  | { readonly type: 'lane-failed'; readonly lane: number; readonly message: string }
  | { readonly type: 'lane-exit'; readonly lane: number };
