/**
 * Calls `handler` on every SIGHUP until the returned function is called. While registered, a
 * SIGHUP no longer terminates the process (Node's default), which is what an operator's
 * `systemctl reload` expects.
 */
export function onSighup(handler: () => void): () => void {
  const listener = (): void => handler();
  process.on('SIGHUP', listener);
  return () => {
    process.off('SIGHUP', listener);
  };
}
