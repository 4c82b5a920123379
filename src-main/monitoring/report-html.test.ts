/** The shareable drift page (report-html.ts): a chart per feature, every text escaped. */
import { describe, expect, it } from 'vitest';
import type { DriftReport } from '../../src-shared/monitoring';
import { driftReportHtml, histogramSvg } from './report-html';

const feature = (name: string, drifted: boolean): DriftReport['features'][number] => ({
  feature: name,
  kind: 'numeric',
  test: 'ks',
  statistic: 0.3,
  pValue: drifted ? 1e-6 : 0.4,
  threshold: 0.05,
  drifted,
  psi: 0.2,
  bins: ['0-1', '1-2', '2-3'],
  reference: [0.5, 0.3, 0.2],
  current: [0.2, 0.3, 0.5],
});
const report: DriftReport = {
  id: 'v3:2026-12-05T00:00:00.000Z',
  at: '2026-12-05T00:00:00.000Z',
  model: 'v3',
  version: '2',
  window: { from: '2026-12-04T23:00:00.000Z', to: '2026-12-05T00:00:00.000Z', n: 300 },
  referenceRows: 5000,
  status: 'drift',
  statusText: 'dataset drift: <script>alert(1)</script> drifted',
  features: [feature('length', false), feature('<script>alert("x")</script>', true)],
  driftShare: 0.5,
  datasetDrift: true,
  prediction: { referenceSpamShare: 0.13, currentSpamShare: 0.4, pValue: 1e-9, drifted: true, currentN: 300, currentCi95: { low: 0.35, high: 0.46 } },
};

describe('the drift report as an HTML page', () => {
  it('draws one SVG histogram per feature, with both series and a legend', () => {
    const html = driftReportHtml(report);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html.match(/<rect class="ref"/g)).toHaveLength(6);
    expect(html.match(/<rect class="cur"/g)).toHaveLength(6);
    expect(html).toContain('current window</text>');
    expect(html).toContain('95 % CI 35.0–46.0 %, n = 300');
    // the taller bar is the larger share
    const svg = histogramSvg(report.features[0]);
    const heights = [...svg.matchAll(/class="ref"[^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights[0]).toBeGreaterThan(heights[2]);
  });

  it('escapes every text it shows', () => {
    const html = driftReportHtml(report);
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('dataset drift: &lt;script&gt;alert(1)&lt;/script&gt; drifted');
  });
});
