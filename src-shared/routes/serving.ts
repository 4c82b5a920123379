/** Model serving: one router per served version (`/model/{v}/…`), the seed 002's `/prediction`, the serving figures. */
import { Type } from '@sinclair/typebox';
import {
  CallLogQuery,
  CallLogRow,
  FeaturesAnswer,
  FeaturesBody,
  PredictionAnswer,
  PredictionQuery,
  PredictionRequest,
  ServedVersionParam,
  ServingStatsAnswer,
  ServingStatsQuery,
  TextBody,
  TopPredictionsAnswer,
  VersionPredictionAnswer,
  VersionRefParam,
} from '../serving';
import { route } from './define';

const tags = ['model serving'];

export const serving = {
  stats: route({
    method: 'GET',
    url: '/serving/stats',
    tags,
    summary: 'Served versions, cache hit rate, request counts and latency per 10 s (in all and per route and version) over the last hour or ?window=',
    querystring: ServingStatsQuery,
    response: { 200: ServingStatsAnswer },
  }),
  textToFeatures: route({
    method: 'POST',
    url: '/model/:version/text_to_features',
    tags,
    summary: 'Text to the feature vector of the version',
    params: ServedVersionParam,
    body: TextBody,
    response: { 200: FeaturesAnswer },
  }),
  featuresToPrediction: route({
    method: 'POST',
    url: '/model/:version/features_to_prediction',
    tags,
    summary: 'Feature vector to ham/spam probabilities',
    params: ServedVersionParam,
    body: FeaturesBody,
    response: { 200: PredictionAnswer },
  }),
  textToPrediction: route({
    method: 'POST',
    url: '/model/:version/text_to_prediction',
    tags,
    summary: 'Text to ham/spam probabilities',
    params: ServedVersionParam,
    body: TextBody,
    response: { 200: PredictionAnswer },
  }),
  callLog: route({
    method: 'GET',
    url: '/model/:version/recent_call_log',
    tags,
    summary: "The caller's calls of the last hour, newest first (streamed)",
    params: ServedVersionParam,
    response: { 200: Type.Array(CallLogRow) },
    transport: 'json-stream',
  }),
  versionPrediction: route({
    method: 'POST',
    url: '/models/:name/versions/:version/text_to_prediction',
    tags,
    summary:
      'Text to ham/spam probabilities by any registered version (a number or an alias), served or not: says which version answered and whether from the cache; not recorded for monitoring',
    params: VersionRefParam,
    body: TextBody,
    response: { 200: VersionPredictionAnswer },
  }),
  callLogFile: route({
    method: 'GET',
    url: '/serving/call-log',
    tags,
    summary: "The caller's calls of the last hour, newest first, of one model id or all (format=csv for a CSV file, formula cells escaped)",
    querystring: CallLogQuery,
    response: { 200: Type.Array(CallLogRow) },
    transport: 'file-stream',
  }),
  predict: route({
    method: 'POST',
    url: '/prediction',
    tags,
    summary: 'Top-n labels of a text with their scores',
    body: PredictionRequest,
    response: { 200: TopPredictionsAnswer },
  }),
  // The seed sends GET with a JSON body (curl -X GET -d ...); query parameters work too.
  predictGet: route({
    method: 'GET',
    url: '/prediction',
    tags,
    summary: 'As POST /prediction, but not recorded for monitoring (a GET changes nothing); the JSON body of a GET, or ?model_id=&text=&n_top=',
    querystring: PredictionQuery,
    response: { 200: TopPredictionsAnswer },
  }),
};
