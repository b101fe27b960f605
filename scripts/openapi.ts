/** `npm run openapi`: writes openapi.yaml from the route schemas. */
import { writeFileSync } from 'node:fs';
import { openApiYaml } from '../src/http/openapi.js';

writeFileSync(new URL('../openapi.yaml', import.meta.url), openApiYaml());
