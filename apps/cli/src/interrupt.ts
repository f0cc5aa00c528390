/**
 * Ctrl-C handling (cli-contract.md): the first SIGINT aborts the run's signal (no new transfers,
 * in-flight ones finish or are abandoned, progress recorded, summary printed, exit 130); a second
 * SIGINT exits at once with 130.
 */
export function interruptSignal(onFirst: () => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = () => {
    if (controller.signal.aborted) process.exit(130);
    onFirst();
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
