/** The Cassandra backend's settings (read by config.ts from CASSANDRA_* variables or config.json). */
export interface CassandraSettings {
  contactPoints: string[];
  keyspace: string;
  localDataCenter: string;
  username?: string;
  password?: string;
  /** path of an Astra DB secure-connect bundle (zip); replaces contact points */
  secureConnectBundle?: string;
  /** default TTL of the call log table, seconds */
  callLogTtlSeconds?: number;
}
