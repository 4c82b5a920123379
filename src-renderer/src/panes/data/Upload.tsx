/** Bring data in: drop or pick a file (seed CSV, UCI SMS TSV, UCI YouTube CSV, a UCI zip), or download the UCI collections. */
import { useRef, useState } from 'react';
import { useData } from '../../store/data';
import { Card, ErrorBox, Icon } from '../../ui';

export function Upload() {
  const upload = useData((s) => s.upload);
  const uci = useData((s) => s.uci);
  const starting = useData((s) => s.starting);
  const limit = useData((s) => s.summary.data?.upload_limit_bytes);
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const send = (files: FileList | null) => {
    const f = files?.[0];
    if (f) void upload(f);
  };
  return (
    <Card title="Import" subtitle="New messages join the warehouse; an id that exists already is never overwritten">
      <label
        className={`dropzone ${over ? 'over' : ''}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          send(e.dataTransfer.files);
        }}
      >
        <Icon name="layers" size={22} />
        <span>
          <strong>Drop a dataset here</strong> or <span className="link">choose a file</span>
        </span>
        <span className="muted small">
          Seed CSV (<code>sms_id,text,label</code>), UCI SMS TSV (<code>label⇥text</code>), UCI YouTube CSV, or a UCI zip
          {limit ? ` · up to ${Math.round(limit / 1024 / 1024)} MB` : ''}
        </span>
        <input
          ref={input}
          type="file"
          aria-label="dataset file"
          accept=".csv,.tsv,.txt,.zip,text/csv"
          onChange={(e) => send(e.target.files)}
          disabled={starting.loading}
        />
      </label>
      <div className="row wrap-tight">
        <span className="muted small">Or the public data, from the UCI repository (CC BY 4.0):</span>
        <button type="button" onClick={() => void uci('all')} disabled={starting.loading}>
          <Icon name="external" /> Download SMS + YouTube
        </button>
        <button type="button" className="small" onClick={() => void uci('sms')} disabled={starting.loading}>
          SMS only
        </button>
        <button type="button" className="small" onClick={() => void uci('youtube')} disabled={starting.loading}>
          YouTube only
        </button>
      </div>
      <ErrorBox error={starting.error} title="Not imported:" />
    </Card>
  );
}
