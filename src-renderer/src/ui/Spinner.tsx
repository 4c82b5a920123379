/** Loading, announced to screen readers. */
export const Spinner = ({ label = 'Loading' }: { label?: string }) => (
  <span className="spinner" role="status">
    <span className="spin" aria-hidden="true" />
    {label}…
  </span>
);
