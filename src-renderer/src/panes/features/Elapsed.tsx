/** Seconds since a start, ticking while mounted. */
import { useEffect, useState } from 'react';

export function Elapsed({ since }: { since?: number }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((x) => x + 1), 250);
    return () => clearInterval(t);
  }, []);
  return <span className="mono">{since ? ((Date.now() - since) / 1000).toFixed(1) : '0.0'} s</span>;
}
