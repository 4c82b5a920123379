/**
 * Every route of the local API, declared once (method, path, parameters, body, every answer as
 * TypeBox schemas). The server registers exactly these (src-main/api/declare.ts `serve`), the
 * console calls them through `call(routes.x.y, { params, query, body })` (src-renderer/src/api.ts),
 * and /openapi.json documents them; a test checks that the document and this list hold the same routes.
 *
 * Adding a route:
 *   1. declare it with `route({...})` in the area's file here (its schemas in src-shared/<area>.ts);
 *   2. in the area's plugin in src-main/api/, `serve(app, routes.area.name, async (req, reply) => ...)`:
 *      tsc checks the handler's input and answer against the schemas; the answer is serialized
 *      from the 2xx schema (fields not in it are left out); errors are thrown as domain errors and
 *      mapped to statuses in src-main/api/errors.ts only;
 *   3. the console calls it with `call(routes.area.name, ...)`: no path or answer type by hand.
 */
import { data } from './data';
import { featureServer, registry } from './featurestore';
import { health } from './health';
import { ingestion } from './ingestion';
import { feedback, monitoring } from './monitoring';
import { serving } from './serving';
import { models, runs } from './training';
import { inbox, userData } from './userdata';
import type { RouteDeclaration } from './define';

export const routes = { health, serving, featureServer, registry, runs, models, data, monitoring, feedback, userData, inbox, ingestion };

/** every declaration, for the OpenAPI completeness test and tools */
export const allRoutes: RouteDeclaration[] = Object.values(routes).flatMap((area) => Object.values(area) as RouteDeclaration[]);

export type { RouteDeclaration } from './define';
