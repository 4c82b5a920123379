/**
 * A drift report as one self-contained HTML file (issue 21 item 7): inline CSS, every chart an
 * inline SVG drawn here, no script and no outside resource, so it opens offline in any browser
 * and can be mailed or attached to a ticket as it is. Every text from the report (model, feature
 * and token names, descriptions) is escaped.
 */
import type { DriftReport, FeatureDrift, Interval95 } from '../../src-shared/monitoring';

const REFERENCE_COLOUR = '#8c8c8c';
const CURRENT_COLOUR = '#d9480f';

export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const num = (x: number | undefined, d = 4) =>
  x === undefined || Number.isNaN(x) ? '–' : Math.abs(x) > 0 && Math.abs(x) < 1e-4 ? x.toExponential(2) : x.toFixed(d);
const withInterval = (value: number, ci: Interval95 | null | undefined, n: number | undefined) =>
  `${pct(value)}${ci ? ` (95 % CI ${(ci.low * 100).toFixed(1)}–${(ci.high * 100).toFixed(1)} %` : ' ('}${n !== undefined ? `${ci ? ', ' : ''}n = ${n.toLocaleString('en')}` : ''})`;

/** the reference and current shares of a feature's bins as grouped bars, with a legend and axis labels */
export function histogramSvg(f: Pick<FeatureDrift, 'feature' | 'bins' | 'reference' | 'current'>): string {
  const width = 640;
  const height = 220;
  const left = 44;
  const bottom = 48;
  const top = 28;
  const plotW = width - left - 10;
  const plotH = height - top - bottom;
  const n = Math.max(1, f.bins.length);
  const max = Math.max(1e-9, ...f.reference, ...f.current);
  const slot = plotW / n;
  const barW = Math.max(1, (slot - 2) / 2);
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const bars: string[] = [];
  f.bins.forEach((bin, i) => {
    const x = left + i * slot + 1;
    const r = f.reference[i] ?? 0;
    const c = f.current[i] ?? 0;
    bars.push(
      `<rect class="ref" x="${x.toFixed(1)}" y="${y(r).toFixed(1)}" width="${barW.toFixed(1)}" height="${(top + plotH - y(r)).toFixed(1)}" fill="${REFERENCE_COLOUR}"><title>${escapeHtml(bin)}: reference ${pct(r)}</title></rect>`,
      `<rect class="cur" x="${(x + barW).toFixed(1)}" y="${y(c).toFixed(1)}" width="${barW.toFixed(1)}" height="${(top + plotH - y(c)).toFixed(1)}" fill="${CURRENT_COLOUR}"><title>${escapeHtml(bin)}: current ${pct(c)}</title></rect>`,
    );
  });
  // at most ~12 bin labels under the axis
  const every = Math.ceil(n / 12);
  const labels = f.bins
    .map((bin, i) =>
      i % every === 0
        ? `<text x="${(left + i * slot + slot / 2).toFixed(1)}" y="${top + plotH + 14}" font-size="10" text-anchor="middle">${escapeHtml(bin.length > 12 ? `${bin.slice(0, 11)}…` : bin)}</text>`
        : '',
    )
    .join('');
  const ticks = [0, 0.5, 1]
    .map((t) => `<text x="${left - 4}" y="${(y(t * max) + 3).toFixed(1)}" font-size="10" text-anchor="end">${pct(t * max)}</text>`)
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="histogram" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(f.feature)}: reference and current distributions">`,
    `<rect x="${width - 250}" y="6" width="10" height="10" fill="${REFERENCE_COLOUR}"/><text x="${width - 236}" y="15" font-size="11">reference</text>`,
    `<rect x="${width - 160}" y="6" width="10" height="10" fill="${CURRENT_COLOUR}"/><text x="${width - 146}" y="15" font-size="11">current window</text>`,
    `<line x1="${left}" y1="${top + plotH}" x2="${width - 10}" y2="${top + plotH}" stroke="#444"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#444"/>`,
    ticks,
    ...bars,
    labels,
    `<text x="${left + plotW / 2}" y="${height - 6}" font-size="11" text-anchor="middle">share of the sample per bin</text>`,
    '</svg>',
  ].join('');
}

function featureSection(f: FeatureDrift): string {
  const decided = f.decidedBy === 'statistic' ? `statistic ${num(f.statistic)} ≥ ${num(f.threshold)}` : `p-value ${num(f.pValue)} < ${num(f.threshold)}`;
  const tokens = (rows: FeatureDrift['gained'], title: string) =>
    rows?.length ? `<p><b>${title}:</b> ${rows.map((t) => `${escapeHtml(t.token)} (${pct(t.reference)} → ${pct(t.current)})`).join(', ')}</p>` : '';
  return `<section class="feature">
<h3>${escapeHtml(f.feature)} <span class="${f.drifted ? 'bad' : 'good'}">${f.drifted ? 'drifted' : 'stable'}</span></h3>
<p>${escapeHtml(f.test)}${f.reason ? ` — ${escapeHtml(f.reason)}` : ''}. Drift when ${escapeHtml(decided)}; PSI ${num(f.psi, 3)} (context).</p>
${histogramSvg(f)}
${tokens(f.gained, 'tokens gained most')}${tokens(f.lost, 'tokens lost most')}
</section>`;
}

/** the whole report as one HTML document */
export function driftReportHtml(r: DriftReport): string {
  const verdict = r.status === 'collecting' ? 'collecting' : r.datasetDrift ? 'DATASET DRIFT' : 'no dataset drift';
  const rows = r.features
    .map(
      (f) =>
        `<tr><td>${escapeHtml(f.feature)}</td><td>${escapeHtml(f.test)}</td><td class="num">${num(f.statistic)}</td><td class="num">${num(f.pValue)}</td><td class="num">${num(f.threshold)}</td><td>${f.drifted ? 'yes' : 'no'}</td><td class="num">${num(f.datasetTest?.adjustedPValue)}</td><td class="num">${num(f.psi, 3)}</td></tr>`,
    )
    .join('\n');
  const q = r.quality;
  const quality = q
    ? `accuracy ${withInterval(q.accuracy, q.ci95?.accuracy, q.n)}; precision ${withInterval(q.precision, q.ci95?.precision, q.ci95?.precisionN)}; recall ${withInterval(q.recall, q.ci95?.recall, q.ci95?.recallN)}; F1 ${num(q.f1, 3)}`
    : 'no feedback labels in this window';
  const p = r.prediction;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Drift report: ${escapeHtml(r.model)} v${escapeHtml(r.version)}, ${escapeHtml(r.at)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:980px;color:#1d1d1f;padding:0 16px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px} h3{font-size:15px;margin:18px 0 4px}
.verdict{display:inline-block;padding:4px 10px;border-radius:6px;font-weight:600}
.drift,.bad{color:#b42318} .ok,.good{color:#067647} .collecting{color:#8a6d00}
.verdict.drift{background:#fee4e2}.verdict.ok{background:#dcfae6}.verdict.collecting{background:#fef7c3}
table{border-collapse:collapse;width:100%;font-size:13px} th,td{border-bottom:1px solid #e4e4e7;padding:4px 8px;text-align:left} td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px} dt{color:#555}
.muted{color:#666;font-size:12px}
</style></head>
<body>
<h1>Drift report: ${escapeHtml(r.model)} v${escapeHtml(r.version)}</h1>
<p class="muted">computed ${escapeHtml(r.at)} by SpamOps · report id ${escapeHtml(r.id)}</p>
<p><span class="verdict ${r.status === 'collecting' ? 'collecting' : r.datasetDrift ? 'drift' : 'ok'}" id="verdict">${escapeHtml(verdict)}</span> <span id="status-text">${escapeHtml(r.statusText ?? '')}</span></p>
<dl>
<dt>window</dt><dd>${r.window.n.toLocaleString('en')} predictions, ${escapeHtml(r.window.from ?? '–')} → ${escapeHtml(r.window.to ?? '–')}${r.window.selection ? ` (${escapeHtml(r.window.selection)})` : ''}</dd>
<dt>reference</dt><dd>${escapeHtml(r.reference?.description ?? `${r.referenceRows} training rows`)}</dd>
<dt>rule</dt><dd>${escapeHtml(r.rule?.description ?? '–')}</dd>
<dt>share of spam predicted</dt><dd>reference ${withInterval(p.referenceSpamShare, p.referenceCi95, p.referenceN)} → window ${withInterval(p.currentSpamShare, p.currentCi95, p.currentN)}; two-proportion z-test p ${num(p.pValue)} (${p.drifted ? 'prediction drift' : 'stable'})</dd>
<dt>quality (feedback)</dt><dd>${quality}</dd>
</dl>
<h2>Features</h2>
<table><thead><tr><th>feature</th><th>test</th><th class="num">statistic</th><th class="num">p-value</th><th class="num">threshold</th><th>drift</th><th class="num">rule p (Holm)</th><th class="num">PSI (context)</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>Distributions</h2>
${r.features.map(featureSection).join('\n')}
</body></html>
`;
}
