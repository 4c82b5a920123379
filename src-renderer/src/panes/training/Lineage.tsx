/** Where a version came from: tokenizer, feature service and registry version, data snapshot and imports, code. */
import type { ModelVersion } from '../../api';
import { when } from '../../ui';

const NOT_RECORDED = 'not recorded';

export function Lineage({ version: v }: { version: ModelVersion }) {
  const l = v.lineage;
  const d = v.data;
  return (
    <dl className="details-list lineage" data-testid="version-lineage" aria-label="lineage">
      <dt>tokenizer</dt>
      <dd className="mono small" data-testid="lineage-tokenizer">
        {l ? (
          l.tokenizerFingerprint ? (
            <span title={l.tokenizerFingerprint}>{l.tokenizerFingerprint.slice(0, 19)}…</span>
          ) : (
            'none (this family uses no tokenizer)'
          )
        ) : (
          NOT_RECORDED
        )}
      </dd>
      <dt>feature service</dt>
      <dd>
        {l ? `${l.featureService} (registry version ${l.registryVersion})` : d ? `${d.featureService} (registry version ${d.registryVersion})` : NOT_RECORDED}
      </dd>
      <dt>data snapshot</dt>
      <dd>
        {d ? (
          <>
            {d.entities} messages ({d.classBalance.ham} ham, {d.classBalance.spam} spam) at {d.timeFreeze}
            {d.checksum && (
              <span className="mono small" title={d.checksum}>
                {' '}
                · sha256 {d.checksum.slice(0, 12)}…
              </span>
            )}
          </>
        ) : (
          NOT_RECORDED
        )}
      </dd>
      <dt>imports</dt>
      <dd data-testid="lineage-imports">
        {!l
          ? NOT_RECORDED
          : l.imports.length === 0
            ? 'none: no import job had stored rows before the run (a bootstrap is not an import job)'
            : l.imports.map((i) => (
                <span
                  key={i.id}
                  className="lineage-import"
                  title={`${i.source}, ${i.inserted} new messages, ${i.finishedAt ? `finished ${when(i.finishedAt)}` : 'still under way when the run started'}`}
                >
                  <span className="mono small">{i.id}</span> ({i.source}
                  {i.status === 'running' ? ', under way: the rows it had stored' : i.status === 'failed' ? ', stopped partway: the rows it stored' : ''}){' '}
                </span>
              ))}
      </dd>
      <dt>code</dt>
      <dd data-testid="lineage-code">
        {l ? `version ${l.code.version}${l.code.commit ? ` · commit ${l.code.commit.slice(0, 12)}` : ' · commit unknown'}` : NOT_RECORDED}
      </dd>
    </dl>
  );
}
