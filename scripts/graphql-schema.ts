/** `npm run graphql:schema`: writes schema.graphql, the generic part of the GraphQL schema. */
import { writeFileSync } from 'node:fs';
import { genericSdl } from '../src/graphql/schema.js';

writeFileSync(new URL('../schema.graphql', import.meta.url), genericSdl());
