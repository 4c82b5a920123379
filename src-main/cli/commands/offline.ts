/**
 * `spamops offline-rows <source>` (the offline browser: pages, sort, filters, columns) and
 * `spamops statistics <view>` (feature statistics over the offline source) and `spamops
 * service-statistics <service> --at T` (over a feature service's training set at T), as the API's
 * /offline/{source}/preview, /registry/feature-views/{view}/statistics and
 * /registry/feature-services/{service}/statistics; --csv writes CSV.
 */
import { Command } from 'commander';
import { GROUPS } from '../groups';
import { rowsCsv, statisticsCsv } from '../../featurestore';
import { CliError, integer, listOf, oneOf, out, withEngines } from '../context';
import { isoMicros } from '../../featurestore';
import type { FeatureStatistics } from '../../../src-shared/featurestore';

function time(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw)
    ? Date.parse(/T.*(Z|[+-]\d\d:?\d\d)$/.test(raw) ? raw : `${raw.length === 10 ? `${raw}T00:00:00` : raw}Z`)
    : Number.NaN;
  if (!Number.isFinite(ms)) throw new CliError(`${flag}: expected an ISO 8601 time (2021-05-01 or 2021-05-01T12:00:00Z), got "${raw}"`);
  return ms;
}

interface RowsOptions {
  limit: number;
  offset: number;
  sort?: string;
  order?: 'asc' | 'desc';
  prefix?: string;
  label?: string;
  from?: string;
  to?: string;
  columns?: string[];
  csv?: boolean;
}

export const offlineRowsCommand = new Command('offline-rows')
  .helpGroup(GROUPS.data)
  .description('a page of a file source of the offline store: sorted, filtered by id prefix, label and time, chosen columns')
  .argument('<source>', 'the file source (smss1, labels, smss2)')
  .option('--limit <n>', 'rows per page, 1 to 1000', integer('--limit', 1, 1000), 50)
  .option('--offset <n>', 'rows to skip', integer('--offset', 0, 999_999_999), 0)
  .option('--sort <column>', 'a column of the source, entity_key, event_timestamp or created_timestamp (default: newest first)')
  .option('--order <order>', 'asc or desc', oneOf('--order', ['asc', 'desc'] as const))
  .option('--prefix <text>', 'entity ids starting with it')
  .option('--label <label>', 'the label column equal to it (the labels source)')
  .option('--from <time>', 'event times at or after it (UTC unless a zone is given)')
  .option('--to <time>', 'event times before it')
  .option('--columns <list>', 'comma-separated columns of the source', listOf)
  .option('--csv', 'write CSV (formula cells escaped) instead of a table')
  .action(async (source: string, o: RowsOptions, cmd: Command) => {
    const fromMs = time('--from', o.from);
    const toMs = time('--to', o.to);
    if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) throw new CliError('--to: expected a time at or after --from');
    await withEngines(cmd, async (e) => {
      const p = await e.features.browseSource(source, { ...o, fromMs, toMs });
      const columns = ['entity_key', 'event_timestamp', 'created_timestamp', ...p.columns];
      const rows = p.rows.map((r) => ({
        entity_key: r.entityKey,
        event_timestamp: isoMicros(r.eventTs),
        created_timestamp: isoMicros(r.createdTs),
        ...r.values,
      }));
      if (o.csv) {
        process.stdout.write(rowsCsv(columns, rows));
        return;
      }
      out(`${source}: rows ${p.matched ? o.offset + 1 : 0}-${o.offset + rows.length} of ${p.matched} matching (${p.total} rows in ${p.parts} parts)`);
      out(columns.join('\t'));
      for (const r of rows)
        out(
          columns
            .map((c) => {
              const v = (r as Record<string, unknown>)[c];
              return Array.isArray(v) ? v.join(' ') : v === null || v === undefined ? '' : String(v);
            })
            .join('\t'),
        );
    });
  });

/** a line per feature, as `statistics` prints them */
function printFeatures(features: FeatureStatistics[]): void {
  const f4 = (x: number | null) => (x === null ? '-' : String(+x.toPrecision(4)));
  for (const f of features) {
    const head = `  ${f.name} [${f.dtype}] missing ${(f.missing_share * 100).toFixed(1)}%`;
    if (f.kind === 'numeric')
      out(
        `${head} min ${f4(f.min)} max ${f4(f.max)} mean ${f4(f.mean)} std ${f4(f.std)} p50 ${f4(f.percentiles.find((p) => p.p === 0.5)?.value ?? null)} distinct ${f.distinct}`,
      );
    else if (f.kind === 'categorical') out(`${head} distinct ${f.distinct} top ${f.top.map((t) => `${t.value}:${t.count}`).join(' ')}`);
    else
      out(
        `${head} length ${f4(f.length.min)}..${f4(f.length.max)} token ids ${f4(f.tokens.min)}..${f4(f.tokens.max)} distinct ${f.tokens.distinct} top ${f.tokens.top
          .slice(0, 5)
          .map((t) => `${t.value}:${t.count}`)
          .join(' ')}`,
      );
  }
}

export const statisticsCommand = new Command('statistics')
  .helpGroup(GROUPS.data)
  .description("statistics of a feature view's features over its offline source (count, missing, range, percentiles, top values, histogram)")
  .argument('<view>', 'the feature view (sms_features1, sms_labels, sms_features2)')
  .option('--refresh', 'recompute (statistics are otherwise kept per offline-source state within a process)')
  .option('--csv', 'write CSV (a row per feature)')
  .option('--json', 'write the API answer as JSON')
  .action(async (view: string, o: { refresh?: boolean; csv?: boolean; json?: boolean }, cmd: Command) =>
    withEngines(cmd, async (e) => {
      const s = await e.features.statistics(view, { refresh: o.refresh });
      if (o.csv) return void process.stdout.write(statisticsCsv(s));
      if (o.json) return out(JSON.stringify(s, null, 2));
      out(`${s.view} (source ${s.source}): ${s.rows} rows, ${s.entities} entities, ${s.parts} parts, events ${s.first_event ?? '-'} .. ${s.last_event ?? '-'}`);
      printFeatures(s.features);
    }),
  );

export const serviceStatisticsCommand = new Command('service-statistics')
  .helpGroup(GROUPS.data)
  .description("statistics of a feature service's training set at a time: every key of its views' sources, point in time")
  .argument('<service>', 'the feature service (labeled_sms_1, labeled_sms_2)')
  .option('--at <time>', 'the time of the training set (ISO 8601; default now)')
  .option('--csv', 'write CSV (a row per feature)')
  .option('--json', 'write the API answer as JSON')
  .action(async (service: string, o: { at?: string; csv?: boolean; json?: boolean }, cmd: Command) =>
    withEngines(cmd, async (e) => {
      const s = await e.features.serviceStatistics(service, time('--at', o.at) ?? Date.now());
      if (o.csv) return void process.stdout.write(statisticsCsv({ view: s.service, features: s.features }));
      if (o.json) return out(JSON.stringify(s, null, 2));
      out(`${s.service} at ${s.at} (${s.views.join(' + ')}): ${s.rows} entity rows, ${s.entities} entities`);
      printFeatures(s.features);
    }),
  );
