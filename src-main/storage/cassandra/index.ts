/**
 * The Cassandra backend (Apache Cassandra, ScyllaDB-compatible CQL, or Astra DB through a
 * secure-connect bundle). Same semantics as the SQLite backend; where CQL cannot express a
 * rule directly (keep-the-newer-row, never-overwrite), lightweight transactions do it.
 * Loaded only when chosen (storage/index.ts imports it dynamically): the embedded default never
 * loads cassandra-driver.
 */
import cassandra from 'cassandra-driver';
import { basename } from 'node:path';
import type { Storage } from '../types';
import type { CassandraSettings } from './settings';
import { CassandraError, Cql, explain, withPort } from './cql';
import { schema } from './schema';
import { CassandraOnlineStore } from './online-store';
import { CassandraUserData } from './user-data';
import { CassandraLabelled } from './labelled';
import { CassandraCache } from './prediction-cache';
import { CassandraCallLog } from './call-log';
import { CassandraRegistry } from './registry-store';
import { CassandraDocuments } from './documents';
import { CassandraPredictions } from './predictions';
import {
  CassandraAlerts,
  CassandraDecisions,
  CassandraDriftReports,
  CassandraFeedback,
  CassandraImports,
  CassandraModelVersions,
  CassandraRuns,
} from './typed-stores';
import { migrateLegacyDocuments } from './migrate';

export type { CassandraSettings } from './settings';
export { onlineTableName } from './schema';

/** a few seconds: an unreachable cluster should fail the start quickly, not hang it */
const CONNECT_TIMEOUT_MS = 3000;
/** the socket-level read timeout covers the handshake and metadata queries: short as well */
const HANDSHAKE_TIMEOUT_MS = 5000;
/** what queries get, through the default execution profile */
const READ_TIMEOUT_MS = 12_000;

export async function openCassandraStorage(settings: CassandraSettings): Promise<Storage> {
  const ks = settings.keyspace;
  if (!/^[A-Za-z0-9_]{1,48}$/.test(ks ?? '')) {
    throw new Error(`invalid Cassandra keyspace name "${ks}": use 1-48 letters, digits or _ — check CASSANDRA_KEYSPACE`);
  }
  const bundle = settings.secureConnectBundle;
  if (!bundle && settings.contactPoints.length === 0) {
    throw new Error('no Cassandra contact points configured — set CASSANDRA_CONTACT_POINTS (or an Astra secure-connect bundle)');
  }
  const where = bundle ? `Astra DB (bundle ${bundle}, keyspace ${ks})` : `${settings.contactPoints.map(withPort).join(',')} (keyspace ${ks})`;

  // Astra authenticates with client id + secret, or the literal user 'token' + an AstraCS token.
  const username = settings.username || (bundle && settings.password ? 'token' : undefined);
  const authProvider = username && settings.password ? new cassandra.auth.PlainTextAuthProvider(username, settings.password) : undefined;
  const client = new cassandra.Client({
    ...(bundle ? { cloud: { secureConnectBundle: bundle } } : { contactPoints: settings.contactPoints, localDataCenter: settings.localDataCenter }),
    authProvider,
    socketOptions: { connectTimeout: CONNECT_TIMEOUT_MS, readTimeout: HANDSHAKE_TIMEOUT_MS },
    profiles: [new cassandra.ExecutionProfile('default', { readTimeout: READ_TIMEOUT_MS })],
  });
  const cql = new Cql(client, where, !!bundle);

  try {
    await client.connect();
    // Astra keyspaces are made in its console; a plain cluster gets a single-replica one.
    if (!bundle) {
      await cql.ddl(`CREATE KEYSPACE IF NOT EXISTS "${ks}" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
    }
    for (const stmt of schema(`"${ks}"`, settings.callLogTtlSeconds ?? 3600)) await cql.ddl(stmt);
  } catch (e) {
    await client.shutdown().catch(() => undefined);
    throw e instanceof CassandraError ? e : new CassandraError(explain(e, where, !!bundle), e);
  }

  const t = (name: string) => `"${ks}".${name}`;
  const storage: Storage = {
    backend: 'cassandra',
    location: bundle ? `cassandra://astra:${basename(bundle)}/${ks}` : `cassandra://${settings.contactPoints.join(',')}/${ks}`,
    online: new CassandraOnlineStore(cql, t),
    users: new CassandraUserData(cql, t('smss_by_users'), t('sms_changes'), t('sms_change_cursors'), t('sms_id_holders')),
    labelled: new CassandraLabelled(cql, t('labelled_sms')),
    cache: new CassandraCache(cql, t('model_serving_api_cache'), t('model_serving_api_cache_keys')),
    callLog: new CassandraCallLog(cql, t('spam_calls_log')),
    registry: new CassandraRegistry(cql, t('registry_snapshots'), t('spamops_meta')),
    runs: new CassandraRuns(cql, t('training_runs')),
    models: new CassandraModelVersions(cql, t('model_versions'), t('model_aliases'), t('model_alias_moves')),
    feedback: new CassandraFeedback(cql, t('operator_feedback')),
    imports: new CassandraImports(cql, t('data_imports')),
    reports: new CassandraDriftReports(cql, t('drift_reports')),
    alerts: new CassandraAlerts(cql, t('monitoring_alerts')),
    decisions: new CassandraDecisions(cql, t('retrain_decisions')),
    documents: new CassandraDocuments(cql, t('spamops_documents')),
    predictions: new CassandraPredictions(cql, t('served_predictions')),
    problems: () => [],
    close: () => client.shutdown(),
  };
  try {
    // runs, versions, aliases and feedback an older version kept as documents move to their tables
    await migrateLegacyDocuments(storage, new CassandraDocuments(cql, t('spamops_documents')));
  } catch (e) {
    await client.shutdown().catch(() => undefined);
    throw e instanceof CassandraError ? e : new CassandraError(explain(e, where, !!bundle), e);
  }
  return storage;
}
