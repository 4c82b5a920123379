/** Data imports: an uploaded file or the UCI download, each a job whose steps stream as Server-Sent Events. */
import { Type } from '@sinclair/typebox';
import { DATASETS_ACCEPTED, DataSummary, ImportEvent, ImportIdParam, ImportJob, UciBody, UploadBody } from '../data';
import { route } from './define';

const tags = ['data'];

export const data = {
  summary: route({ method: 'GET', url: '/data/summary', tags, summary: 'Labelled messages in the warehouse, by label', response: { 200: DataSummary } }),
  upload: route({
    method: 'POST',
    url: '/data/imports',
    tags,
    summary: `Upload a dataset (multipart/form-data, field "file"): ${DATASETS_ACCEPTED}; 202 with the import job`,
    body: UploadBody,
    multipart: true,
    response: { 202: ImportJob },
  }),
  uci: route({
    method: 'POST',
    url: '/data/imports/uci',
    tags,
    summary: 'Download the UCI collections (sms, youtube or all) and import them; 202 with the import job',
    body: UciBody,
    response: { 202: ImportJob },
  }),
  imports: route({ method: 'GET', url: '/data/imports', tags, summary: 'Imports, newest first (the last 50)', response: { 200: Type.Array(ImportJob) } }),
  import: route({ method: 'GET', url: '/data/imports/:id', tags, summary: 'One import and its steps', params: ImportIdParam, response: { 200: ImportJob } }),
  events: route({
    method: 'GET',
    url: '/data/imports/:id/events',
    tags,
    summary: 'Server-Sent Events of an import: its state now, then every step until it ends',
    params: ImportIdParam,
    response: { 200: ImportEvent },
    transport: 'event-stream',
  }),
};
