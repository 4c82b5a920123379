/** The tables of the embedded backend (CREATE IF NOT EXISTS: opening an existing file changes nothing). */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS online_features (
  view TEXT NOT NULL, entity_key TEXT NOT NULL, values_json TEXT NOT NULL,
  event_ts INTEGER NOT NULL, created_ts INTEGER NOT NULL,
  PRIMARY KEY (view, entity_key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS online_views (view TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS smss_by_users (
  user_id TEXT NOT NULL, sms_id TEXT NOT NULL, sent_at INTEGER NOT NULL,
  sender_id TEXT NOT NULL, sms_text TEXT NOT NULL,
  PRIMARY KEY (user_id, sms_id));
CREATE INDEX IF NOT EXISTS smss_by_users_time ON smss_by_users (user_id, sent_at DESC, sms_id DESC);
-- an sms_id is the feature store's entity key: one user at most holds it (checked on insert; not
-- UNIQUE, so a data dir written before the check still opens and \`spamops check\` names its duplicates)
CREATE INDEX IF NOT EXISTS smss_by_users_sms_id ON smss_by_users (sms_id);
-- the change log of smss_by_users (written in the insert's transaction); AUTOINCREMENT: a
-- sequence never reused, and with one writer at a time in commit order
CREATE TABLE IF NOT EXISTS sms_changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, user_id TEXT NOT NULL, sms_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sms_change_cursors (name TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS labelled_sms (
  sms_id TEXT PRIMARY KEY, text TEXT NOT NULL, label TEXT NOT NULL, origin TEXT NOT NULL,
  seq INTEGER NOT NULL);
-- insertion order: scans read it in batches, imports find the last seq without a full scan
CREATE INDEX IF NOT EXISTS labelled_sms_seq ON labelled_sms (seq);
CREATE TABLE IF NOT EXISTS model_serving_api_cache (
  endpoint TEXT NOT NULL, version TEXT NOT NULL, input_key TEXT NOT NULL, output TEXT NOT NULL,
  PRIMARY KEY (version, endpoint, input_key)) WITHOUT ROWID;
-- the call log (the seed's spam_calls_log), one row per caller and batch of calls (call-log.ts);
-- entries: a JSON array of [called_at, endpoint, version, input_json]
CREATE TABLE IF NOT EXISTS spam_calls_log_batches (
  caller_id TEXT NOT NULL, first_at INTEGER NOT NULL, last_at INTEGER NOT NULL, ttl_ms INTEGER NOT NULL,
  expires_at INTEGER NOT NULL, entries TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS spam_calls_log_batches_caller ON spam_calls_log_batches (caller_id, last_at);
CREATE INDEX IF NOT EXISTS spam_calls_log_batches_expiry ON spam_calls_log_batches (expires_at);
CREATE TABLE IF NOT EXISTS registry_snapshots (
  version INTEGER PRIMARY KEY, json TEXT NOT NULL, applied_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS served_predictions (
  id TEXT PRIMARY KEY, at INTEGER NOT NULL, model TEXT NOT NULL, version TEXT NOT NULL, endpoint TEXT NOT NULL,
  features TEXT NOT NULL, spam REAL NOT NULL, label TEXT NOT NULL, caller TEXT NOT NULL, sms_id TEXT, oov REAL);
CREATE INDEX IF NOT EXISTS served_predictions_model_at ON served_predictions (model, at DESC);
CREATE INDEX IF NOT EXISTS served_predictions_at ON served_predictions (at);
CREATE TABLE IF NOT EXISTS documents (
  collection TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, updated_at INTEGER NOT NULL,
  PRIMARY KEY (collection, id)) WITHOUT ROWID;
-- typed stores (runs, model versions and aliases, feedback): the columns queried, and the whole
-- record as JSON where it nests (a run's history, a version's params and metrics)
CREATE TABLE IF NOT EXISTS training_runs (
  id TEXT PRIMARY KEY, model TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL,
  owner_pid INTEGER, owner_host TEXT, record_json TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS training_runs_updated ON training_runs (updated_at);
CREATE TABLE IF NOT EXISTS model_versions (
  name TEXT NOT NULL, version TEXT NOT NULL, version_num INTEGER NOT NULL, base TEXT NOT NULL, kind TEXT NOT NULL,
  run_id TEXT NOT NULL, created_at TEXT NOT NULL, dir TEXT NOT NULL, record_json TEXT NOT NULL,
  PRIMARY KEY (name, version)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS model_aliases (
  name TEXT NOT NULL, alias TEXT NOT NULL, version TEXT NOT NULL, PRIMARY KEY (name, alias)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS model_alias_moves (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, alias TEXT NOT NULL, at INTEGER NOT NULL,
  from_version TEXT, to_version TEXT, note TEXT);
CREATE INDEX IF NOT EXISTS model_alias_moves_name ON model_alias_moves (name, alias, seq);
CREATE TABLE IF NOT EXISTS data_imports (
  id TEXT PRIMARY KEY, created_at TEXT NOT NULL, finished_at TEXT, source_kind TEXT NOT NULL, source_name TEXT NOT NULL,
  status TEXT NOT NULL, error TEXT, record_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS drift_reports (
  id TEXT PRIMARY KEY, model TEXT NOT NULL, version TEXT NOT NULL, at TEXT NOT NULL, dataset_drift INTEGER NOT NULL,
  record_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS monitoring_alerts (
  id TEXT PRIMARY KEY, at TEXT NOT NULL, model TEXT NOT NULL, version TEXT NOT NULL, kind TEXT NOT NULL,
  report_id TEXT NOT NULL, acknowledged INTEGER NOT NULL, record_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS retrain_decisions (
  id TEXT PRIMARY KEY, at TEXT NOT NULL, model TEXT NOT NULL, trigger TEXT NOT NULL, promoted INTEGER NOT NULL,
  record_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (
  id TEXT PRIMARY KEY, at TEXT NOT NULL, sms_id TEXT NOT NULL, true_label TEXT NOT NULL, caller TEXT NOT NULL,
  user_id TEXT, predicted_label TEXT, model_version TEXT, architecture TEXT, note TEXT, source_id TEXT);
`;
