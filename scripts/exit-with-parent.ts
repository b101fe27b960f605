/**
 * Preloaded into the service that `npm start` runs: when `npm start` itself dies without
 * stopping it (killed, its terminal closed), the service stops as on Ctrl-C instead of holding
 * its port. `npm start` opens an IPC channel to it for this alone.
 */
if (process.channel) {
  // The channel must not keep the service alive once it has stopped on its own.
  process.channel.unref();
  process.once('disconnect', () => {
    process.kill(process.pid, 'SIGTERM');
  });
}
