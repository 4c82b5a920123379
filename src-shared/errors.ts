/** The one error body every route answers with: what went wrong and, where it helps, which field. */
export interface ApiErrorBody {
  error: string;
  detail: string;
  field?: string;
  known?: string[];
  /** the file on disk that is missing or broken (503 artifact_unavailable) */
  file?: string;
}

/** The code of the 409 every registry route answers before any definitions were applied: clients test it, never the detail's text. */
export const REGISTRY_EMPTY = 'registry_empty';
