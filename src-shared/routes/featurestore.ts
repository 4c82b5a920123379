/** The Feast-compatible feature server, and the registry and offline store read for the console and discovery. */
import { Type } from '@sinclair/typebox';
import {
  EntityDef,
  FeatureServiceDef,
  FeatureViewDef,
  GetHistoricalFeaturesRequest,
  GetOnlineFeaturesRequest,
  GetOnlineFeaturesResponse,
  HISTORICAL_BODY_LIMIT_BYTES,
  HistoricalRow,
  MaterializationRecord,
  MaterializeIncrementalRequest,
  MaterializeRequest,
  MaterializeResponse,
  NameParam,
  OfflinePreview,
  PreviewQuery,
  PushAnswer,
  PushRequest,
  RegistryAnswer,
  RegistrySnapshot,
  SourceInfo,
  ViewInfo,
} from '../featurestore';
import { route } from './define';

const fs = ['feature server'];

export const featureServer = {
  onlineFeatures: route({
    method: 'POST',
    url: '/get-online-features',
    tags: fs,
    summary: 'Latest feature values of entities, by feature refs or feature service',
    body: GetOnlineFeaturesRequest,
    response: { 200: GetOnlineFeaturesResponse },
  }),
  historicalFeatures: route({
    method: 'POST',
    url: '/get-historical-features',
    tags: fs,
    summary: 'Point-in-time correct rows of entities (or of every key: "all"), streamed as NDJSON (default) or CSV, or a Parquet file',
    body: GetHistoricalFeaturesRequest,
    response: { 200: HistoricalRow },
    transport: 'file-stream',
    // the schema takes 100,000 entity rows: the body limit leaves room for them (the default 1 MiB did not)
    bodyLimit: HISTORICAL_BODY_LIMIT_BYTES,
  }),
  push: route({
    method: 'POST',
    url: '/push',
    tags: fs,
    summary: 'Push rows through a push source (whole batch or nothing)',
    body: PushRequest,
    response: { 200: PushAnswer },
  }),
  materialize: route({
    method: 'POST',
    url: '/materialize',
    tags: fs,
    summary: 'Materialize offline rows in [start_ts, end_ts] into the online store',
    body: MaterializeRequest,
    response: { 200: MaterializeResponse },
  }),
  materializeIncremental: route({
    method: 'POST',
    url: '/materialize-incremental',
    tags: fs,
    summary: 'Materialize from where each view stopped up to end_ts',
    body: MaterializeIncrementalRequest,
    response: { 200: MaterializeResponse },
  }),
};

const tags = ['registry'];

export const registry = {
  current: route({ method: 'GET', url: '/registry', tags, summary: 'The applied definitions (latest snapshot)', response: { 200: RegistryAnswer } }),
  entities: route({ method: 'GET', url: '/registry/entities', tags, summary: 'Entities', response: { 200: Type.Array(EntityDef) } }),
  sources: route({
    method: 'GET',
    url: '/registry/data-sources',
    tags,
    summary: 'Data sources; file sources with their columns and Parquet part count',
    response: { 200: Type.Array(SourceInfo) },
  }),
  views: route({
    method: 'GET',
    url: '/registry/feature-views',
    tags,
    summary: 'Feature views with their online rows and materialization watermark',
    response: { 200: Type.Array(ViewInfo) },
  }),
  view: route({ method: 'GET', url: '/registry/feature-views/:name', tags, summary: 'One feature view', params: NameParam, response: { 200: FeatureViewDef } }),
  services: route({ method: 'GET', url: '/registry/feature-services', tags, summary: 'Feature services', response: { 200: Type.Array(FeatureServiceDef) } }),
  service: route({
    method: 'GET',
    url: '/registry/feature-services/:name',
    tags,
    summary: 'One feature service',
    params: NameParam,
    response: { 200: FeatureServiceDef },
  }),
  history: route({
    method: 'GET',
    url: '/registry/history',
    tags,
    summary: 'Every applied snapshot with the diff that produced it',
    response: { 200: Type.Array(RegistrySnapshot) },
  }),
  materializations: route({
    method: 'GET',
    url: '/registry/materializations',
    tags,
    summary: 'Materialization runs, newest first',
    response: { 200: Type.Array(MaterializationRecord) },
  }),
  preview: route({
    method: 'GET',
    url: '/offline/:name/preview',
    tags: ['offline store'],
    summary: 'Newest rows of a file source',
    params: NameParam,
    querystring: PreviewQuery,
    response: { 200: OfflinePreview },
  }),
};
