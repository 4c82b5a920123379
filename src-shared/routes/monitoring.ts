/** Monitoring: drift reports (current and over time), alerts, recorded predictions, retraining, the simulator; and operator feedback. */
import { Type } from '@sinclair/typebox';
import {
  AckBody,
  Alert,
  AlertIdParam,
  CheckBody,
  DriftReport,
  DriftReportFileQuery,
  DriftReportSummary,
  FeatureHistograms,
  HistogramsParams,
  HistogramsQuery,
  HistoryQuery,
  ModelQuery,
  MonitorSettings,
  PredictionsQuery,
  RecordedPrediction,
  RetrainAnswer,
  RetrainBody,
  RetrainDecision,
  SettingsBody,
  SimulateBody,
  Simulation,
  SimulationIdParam,
  WebhookTestAnswer,
} from '../monitoring';
import { FeedbackAnswer, FeedbackBody, FeedbackRecord } from '../feedback';
import { PageQuery } from '../paging';
import { route } from './define';

const tags = ['monitoring'];

export const monitoring = {
  drift: route({
    method: 'GET',
    url: '/monitoring/drift',
    tags,
    summary: 'Drift of the latest window against the training reference (not stored)',
    querystring: ModelQuery,
    response: { 200: DriftReport },
  }),
  driftReportFile: route({
    method: 'GET',
    url: '/monitoring/drift/report',
    tags,
    summary:
      'The drift report as a file to share (not stored): one self-contained HTML page (charts as inline SVG, no script, opens offline) or the JSON report, as an attachment',
    querystring: DriftReportFileQuery,
    response: { 200: DriftReport },
    transport: 'file-stream',
  }),
  check: route({
    method: 'POST',
    url: '/monitoring/check',
    tags,
    summary: 'Compute, store and alert on a drift report',
    body: CheckBody,
    response: { 200: DriftReport },
  }),
  history: route({
    method: 'GET',
    url: '/monitoring/drift/history',
    tags,
    summary: 'Stored drift reports: the newest `limit` (100, at most 1000), oldest first (the time series)',
    querystring: HistoryQuery,
    response: { 200: Type.Array(DriftReportSummary) },
  }),
  histograms: route({
    method: 'GET',
    url: '/monitoring/drift/:model/features/:feature/histograms',
    tags,
    summary:
      "A feature's histogram in each of the last `windows` (8, at most 50) stored drift windows, beside the reference's, in one set of bins (the drift report's own binning for numbers; the top tokens for token ids)",
    params: HistogramsParams,
    querystring: HistogramsQuery,
    response: { 200: FeatureHistograms },
  }),
  alerts: route({
    method: 'GET',
    url: '/monitoring/alerts',
    tags,
    summary: 'Alerts, newest first: a page of `limit` (100, at most 1000) before the id `before`',
    querystring: PageQuery,
    response: { 200: Type.Array(Alert) },
  }),
  ack: route({
    method: 'POST',
    url: '/monitoring/alerts/:id/ack',
    tags,
    summary: 'Acknowledge an alert, with an optional note (body {note}, at most 1,000 characters)',
    params: AlertIdParam,
    body: AckBody,
    response: { 200: Alert },
  }),
  testWebhook: route({
    method: 'POST',
    url: '/monitoring/alerts/test-webhook',
    tags,
    summary: "Send a test payload (an alert's shape, test: true) to the configured webhook and say what happened",
    response: { 200: WebhookTestAnswer },
  }),
  predictions: route({
    method: 'GET',
    url: '/monitoring/predictions',
    tags,
    summary:
      "Recorded predictions of a model, newest first: `size` (100, at most 1000) of the last `hours` (24); the next page: `before` and `before_id`, the last record's `at` and `id`",
    querystring: PredictionsQuery,
    response: { 200: Type.Array(RecordedPrediction) },
  }),
  simulate: route({
    method: 'POST',
    url: '/monitoring/simulate',
    tags,
    summary: 'Replay warehouse messages through the inbox, then label them (mock caller + labeler)',
    body: SimulateBody,
    response: { 202: Simulation },
  }),
  simulations: route({
    method: 'GET',
    url: '/monitoring/simulations',
    tags,
    summary: 'Simulations, with their progress',
    response: { 200: Type.Array(Simulation) },
  }),
  stopSimulation: route({
    method: 'POST',
    url: '/monitoring/simulations/:id/stop',
    tags,
    summary: 'Stop a running simulation after the message it is sending (its labels still follow)',
    params: SimulationIdParam,
    response: { 200: Simulation },
  }),
  retrain: route({
    method: 'POST',
    url: '/monitoring/retrain',
    tags,
    summary: 'Train a challenger on the training set plus feedback labels; promote it if it beats the champion by the margin',
    body: RetrainBody,
    response: { 202: RetrainAnswer },
  }),
  decisions: route({
    method: 'GET',
    url: '/monitoring/retrain',
    tags,
    summary: 'Retraining decisions with their numbers, newest first (a page)',
    querystring: PageQuery,
    response: { 200: Type.Array(RetrainDecision) },
  }),
  settings: route({
    method: 'GET',
    url: '/monitoring/settings',
    tags,
    summary: 'Window, thresholds (per feature), webhook and retraining settings',
    response: { 200: MonitorSettings },
  }),
  saveSettings: route({
    method: 'PUT',
    url: '/monitoring/settings',
    tags,
    summary: 'Change monitoring settings (kept in the storage layer)',
    body: SettingsBody,
    response: { 200: MonitorSettings },
  }),
};

export const feedback = {
  record: route({
    method: 'POST',
    url: '/feedback',
    tags,
    summary:
      "State the true label of a message the product has (in an inbox, the warehouse, or with features v2 online): 404 for an id none has, 409 when user_id is not the message's user",
    body: FeedbackBody,
    response: { 201: FeedbackAnswer },
  }),
  list: route({
    method: 'GET',
    url: '/feedback',
    tags,
    summary: 'Feedback labels, newest first: a page of `limit` (100, at most 1000) before the id `before`',
    querystring: PageQuery,
    response: { 200: Type.Array(FeedbackRecord) },
  }),
};
