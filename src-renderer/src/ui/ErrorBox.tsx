/** An error in place, with Retry when it can be retried. */
import { Icon } from './Icon';

export function ErrorBox({ error, onRetry, title }: { error?: string; onRetry?: () => void; title?: string }) {
  if (!error) return null;
  return (
    <div className="error" role="alert">
      <Icon name="alert" />
      <div className="error-body">
        {title && <strong>{title}</strong>} <span>{error}</span>
      </div>
      {onRetry && (
        <button type="button" className="small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
