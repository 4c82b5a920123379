/** Training runs (with live progress as Server-Sent Events) and the model registry, which also answers the seed's model-management service. */
import { Type } from '@sinclair/typebox';
import {
  AliasBody,
  AliasParam,
  DeletedAnswer,
  ForceQuery,
  ModelEntry,
  ModelParam,
  ModelsPost,
  ModelsPostAnswer,
  ModelVersion,
  ModelVersionParam,
  RemovedAnswer,
  RunEvent,
  RunIdParam,
  RunRecord,
  RunsQuery,
  StartRunRequest,
} from '../training';
import { route } from './define';

const tags = ['training'];

export const runs = {
  list: route({
    method: 'GET',
    url: '/runs',
    tags,
    summary: 'Training runs, newest first (per-batch history only with ?full=true)',
    querystring: RunsQuery,
    response: { 200: Type.Array(RunRecord) },
  }),
  get: route({ method: 'GET', url: '/runs/:id', tags, summary: 'One run, with its per-batch history', params: RunIdParam, response: { 200: RunRecord } }),
  start: route({
    method: 'POST',
    url: '/runs',
    tags,
    summary: 'Queue a training run; answers at once with the run',
    body: StartRunRequest,
    response: { 202: RunRecord },
  }),
  cancel: route({ method: 'POST', url: '/runs/:id/cancel', tags, summary: 'Cancel a queued or running run', params: RunIdParam, response: { 200: RunRecord } }),
  rerun: route({
    method: 'POST',
    url: '/runs/:id/rerun',
    tags,
    summary: 'Repeat a run from its record (same data, parameters, seed)',
    params: RunIdParam,
    response: { 202: RunRecord },
  }),
  events: route({
    method: 'GET',
    url: '/runs/:id/events',
    tags,
    summary: 'Server-Sent Events of one run: its record, then progress until it ends',
    params: RunIdParam,
    response: { 200: RunEvent },
    transport: 'event-stream',
  }),
  allEvents: route({
    method: 'GET',
    url: '/runs-events',
    tags,
    summary: 'Server-Sent Events of every run (status, epochs; batches throttled by the client)',
    response: { 200: RunEvent },
    transport: 'event-stream',
  }),
};

const rtags = ['model registry'];

export const models = {
  list: route({
    method: 'GET',
    url: '/models',
    tags: rtags,
    summary: 'Registered models and versions with metrics, aliases and which version is served',
    response: { 200: Type.Array(ModelEntry) },
  }),
  train: route({
    method: 'POST',
    url: '/models',
    tags: rtags,
    summary: 'Train a model (id v1, v2 or v3); an existing one is retrained only with force_update',
    body: ModelsPost,
    response: { 202: ModelsPostAnswer },
  }),
  versions: route({
    method: 'GET',
    url: '/models/:name',
    tags: rtags,
    summary: 'The versions of a model',
    params: ModelParam,
    response: { 200: Type.Array(ModelVersion) },
  }),
  version: route({
    method: 'GET',
    url: '/models/:name/versions/:version',
    tags: rtags,
    summary: 'One version of a model',
    params: ModelVersionParam,
    response: { 200: ModelVersion },
  }),
  delete: route({
    method: 'DELETE',
    url: '/models/:name',
    tags: rtags,
    summary: 'Delete every version of a model (refused while served unless ?force=true)',
    params: ModelParam,
    querystring: ForceQuery,
    response: { 200: DeletedAnswer },
  }),
  deleteVersion: route({
    method: 'DELETE',
    url: '/models/:name/versions/:version',
    tags: rtags,
    summary: 'Delete one version (refused while served unless ?force=true)',
    params: ModelVersionParam,
    querystring: ForceQuery,
    response: { 200: DeletedAnswer },
  }),
  setAlias: route({
    method: 'POST',
    url: '/models/:name/aliases',
    tags: rtags,
    summary: 'Point an alias (production, staging, ...) at a version',
    params: ModelParam,
    body: AliasBody,
    response: { 200: ModelVersion },
  }),
  removeAlias: route({
    method: 'DELETE',
    url: '/models/:name/aliases/:alias',
    tags: rtags,
    summary: 'Remove an alias',
    params: AliasParam,
    response: { 200: RemovedAnswer },
  }),
};
