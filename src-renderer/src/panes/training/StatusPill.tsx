import type { RunRecord } from '../../api';

export function StatusPill({ status }: { status: RunRecord['status'] }) {
  return <span className={`status-pill run-${status}`}>{status}</span>;
}
