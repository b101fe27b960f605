/** `npm run openapi`: writes openapi.yaml, the document the route schemas generate. */
import { writeFileSync } from 'node:fs';
import { generatedOpenApi } from '../src/app.js';
import { openApiYaml } from '../src/http/openapi.js';

writeFileSync(new URL('../openapi.yaml', import.meta.url), openApiYaml(await generatedOpenApi()));
