// Preloaded into the gateway by the soak (with --expose-gc): SIGUSR2 runs a full collection, so the
// heap it reports next holds only what is still reachable, and a leak cannot hide behind garbage.
process.on('SIGUSR2', () => {
  if (typeof globalThis.gc === 'function') globalThis.gc();
});
