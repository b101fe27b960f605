import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { growHeapInLargerSteps } from './heap-growth.js';
import { startTracing } from './observability/tracing.js';

growHeapInLargerSteps();
const config = loadConfig();
const app = await buildApp(config);
const tracing = await startTracing(config.tracing, {
  onProblem: (message) => {
    app.log.warn(`tracing: ${message}`);
  },
});

closeWithGrace({ delay: config.shutdownGraceMs }, async ({ err, signal }) => {
  if (err) app.log.error({ err }, 'shutting down after an error');
  else app.log.info({ signal }, 'shutting down');
  await app.close();
  await tracing?.shutdown();
});

await app.listen({ host: config.host, port: config.port });
app.log.info({ spark: config.sparkRemote }, 'spark-data-api is listening');
