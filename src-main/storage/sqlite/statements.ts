/** Statements prepared once per connection and SQL text (preparing cost as much as running them on the inbox's path). */
import type Database from 'better-sqlite3';

export function preparedOnce(db: Database.Database): (sql: string) => Database.Statement {
  const statements = new Map<string, Database.Statement>();
  return (sql) => {
    let st = statements.get(sql);
    if (!st) {
      st = db.prepare(sql);
      statements.set(sql, st);
    }
    return st;
  };
}
