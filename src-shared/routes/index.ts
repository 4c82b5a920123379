/**
 * Every route of the local API, declared once (method, path, parameters, body, every answer as
 * TypeBox schemas). The server registers exactly these (src-main/api/declare.ts `serve`), the
 * console calls them through `call(routes.x.y, { params, query, body })` (src-renderer/src/api.ts),
 * and /openapi.json documents them; a test checks that the document and this list hold the same routes.
 *
 * Adding a route:
 *   1. declare it with `route({...})` in the area's file here (schemas in src-shared/<area>.ts);
 *   2. in the area's plugin in src-main/api/, `serve(app, routes.area.name, async (req, reply) => ...)`:
 *      tsc checks the handler's input and answer against the schemas; the answer is serialized
 *      from the 2xx schema (fields not in it are dropped), errors are thrown as domain errors and
 *      mapped to statuses in src-main/api/errors.ts;
 *   3. the console calls it with `call(routes.area.name, ...)`: no path or answer type by hand.
 */
import { featureServer, registry } from './featurestore';
import { serving } from './serving';
import { models, runs } from './training';

export const routes = { serving, featureServer, registry, runs, models };

export type { RouteDeclaration } from './define';
