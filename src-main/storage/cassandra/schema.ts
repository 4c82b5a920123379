/** The CQL tables: the seed story's (`smss_by_users`, `model_serving_api_cache`, `spam_calls_log` with TTL) and ours. */
import { createHash } from 'node:crypto';

/** how long the change log keeps a change (a consumer further behind starts at the oldest kept) */
export const CHANGE_LOG_TTL_SECONDS = 7 * 24 * 3600;

export function schema(ks: string, callLogTtl: number): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${ks}.smss_by_users (user_id text, sms_id timeuuid, sender_id text, sms_text text,
      PRIMARY KEY ((user_id), sms_id)) WITH CLUSTERING ORDER BY (sms_id DESC)`,
    // the change log of smss_by_users: one partition per hour, in TimeUUID order; kept 7 days
    `CREATE TABLE IF NOT EXISTS ${ks}.sms_changes (bucket bigint, change_id timeuuid, user_id text, sms_id timeuuid, sender_id text,
      sms_text text, PRIMARY KEY ((bucket), change_id)) WITH default_time_to_live = ${CHANGE_LOG_TTL_SECONDS}`,
    `CREATE TABLE IF NOT EXISTS ${ks}.sms_change_cursors (name text PRIMARY KEY, seq text)`,
    // who holds each sms_id (the feature store's entity key, unique across every inbox), claimed by IF NOT EXISTS
    `CREATE TABLE IF NOT EXISTS ${ks}.sms_id_holders (sms_id timeuuid PRIMARY KEY, user_id text)`,
    `CREATE TABLE IF NOT EXISTS ${ks}.model_serving_api_cache (version text, endpoint text, input_key text, output text,
      PRIMARY KEY ((version, endpoint), input_key))`,
    // the change log of smss_by_users: one partition per hour, in TimeUUID order; kept 7 days
    `CREATE TABLE IF NOT EXISTS ${ks}.sms_changes (bucket bigint, change_id timeuuid, user_id text, sms_id timeuuid, sender_id text,
      sms_text text, PRIMARY KEY ((bucket), change_id)) WITH default_time_to_live = ${CHANGE_LOG_TTL_SECONDS}`,
    `CREATE TABLE IF NOT EXISTS ${ks}.sms_change_cursors (name text PRIMARY KEY, seq text)`,
    `CREATE TABLE IF NOT EXISTS ${ks}.model_serving_api_cache_keys (version text, endpoint text, PRIMARY KEY ((version), endpoint))`,
    `CREATE TABLE IF NOT EXISTS ${ks}.spam_calls_log (caller_id text, called_at timestamp, call_id timeuuid, endpoint text,
      version text, input_json text, PRIMARY KEY ((caller_id), called_at, call_id))
      WITH CLUSTERING ORDER BY (called_at DESC, call_id DESC) AND default_time_to_live = ${Math.max(1, Math.floor(callLogTtl))}`,
    `CREATE TABLE IF NOT EXISTS ${ks}.labelled_sms (sms_id text PRIMARY KEY, "text" text, label text, origin text, seq bigint)`,
    `CREATE TABLE IF NOT EXISTS ${ks}.registry_snapshots (project text, version int, "json" text, applied_at timestamp,
      PRIMARY KEY ((project), version))`,
    `CREATE TABLE IF NOT EXISTS ${ks}.spamops_meta ("key" text PRIMARY KEY, "value" text)`,
    `CREATE TABLE IF NOT EXISTS ${ks}.served_predictions (model text, at timestamp, id text, version text, endpoint text,
      features text, spam double, label text, caller text, sms_id text, oov double,
      PRIMARY KEY ((model), at, id)) WITH CLUSTERING ORDER BY (at DESC, id DESC)`,
    `CREATE TABLE IF NOT EXISTS ${ks}.spamops_documents (collection text, id text, "json" text, updated_at timestamp,
      PRIMARY KEY ((collection), id))`,
    // the typed stores (storage/types.ts: RunStore, ModelVersionStore, FeedbackStore): one partition each, small
    `CREATE TABLE IF NOT EXISTS ${ks}.training_runs (project text, id text, model text, status text, created_at text, owner_pid int,
      owner_host text, "record" text, updated_at timestamp, PRIMARY KEY ((project), id))`,
    `CREATE TABLE IF NOT EXISTS ${ks}.model_versions (project text, name text, version_num bigint, version text, base text, kind text,
      run_id text, created_at text, dir text, "record" text, PRIMARY KEY ((project), name, version_num, version))`,
    `CREATE TABLE IF NOT EXISTS ${ks}.model_aliases (project text, name text, alias text, version text, PRIMARY KEY ((project), name, alias))`,
    `CREATE TABLE IF NOT EXISTS ${ks}.model_alias_moves (project text, name text, move_id timeuuid, alias text, at timestamp,
      from_version text, to_version text, note text, PRIMARY KEY ((project, name), move_id))`,
    `CREATE TABLE IF NOT EXISTS ${ks}.data_imports (project text, id text, created_at text, finished_at text, source_kind text,
      source_name text, status text, error text, "record" text, PRIMARY KEY ((project), id))`,
    `CREATE TABLE IF NOT EXISTS ${ks}.drift_reports (project text, id text, model text, version text, at text, dataset_drift boolean,
      "record" text, PRIMARY KEY ((project), id))`,
    `CREATE TABLE IF NOT EXISTS ${ks}.monitoring_alerts (project text, id text, at text, model text, version text, kind text,
      report_id text, acknowledged boolean, "record" text, PRIMARY KEY ((project), id))`,
    `CREATE TABLE IF NOT EXISTS ${ks}.retrain_decisions (project text, id text, at text, model text, trigger text, promoted boolean,
      "record" text, PRIMARY KEY ((project), id))`,
    `CREATE TABLE IF NOT EXISTS ${ks}.operator_feedback (project text, id text, at text, sms_id text, true_label text, caller text,
      user_id text, predicted_label text, model_version text, architecture text, note text, source_id text,
      PRIMARY KEY ((project), id))`,
  ];
}

/** Feast names a view's table after the view; CQL names are [a-z0-9_]{1,48}, so lossy names get a hash. */
export function onlineTableName(view: string): string {
  const clean = view.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (clean === view && clean.length <= 41) return `online_${clean}`;
  return `online_${clean.slice(0, 31)}_${createHash('sha1').update(view).digest('hex').slice(0, 8)}`;
}
