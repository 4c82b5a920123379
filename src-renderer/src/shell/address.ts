/**
 * The console's addresses: what the operator has selected (the opened run, the compared runs, the
 * version, the drift model, the looked-up ids) is written into the URL and read back from it, so a
 * reload or the back button shows the same selection. One module for all panes: it watches the
 * chosen store fields and the URL, the panes know nothing of it.
 *
 * The address lives in the hash (`#/training?run=…&compare=a,b&version=v3/2&versionTag=x&metric=accuracy&min=0.95&compareVersions=v1/1,v1/2`), written with
 * history.pushState and read on popstate: the console is a file:// page in Electron, where a path
 * or search change would point at another file on reload, and an http://127.0.0.1 page headless,
 * where the server only answers `/` with the console; a hash is kept by both and never sent.
 */
import { paneFromHash, useShell, type Pane } from '../store/shell';
import { useTraining, type VersionFilter } from '../store/training';

/** every filter key, in one order, so that two filters compare as JSON */
const EMPTY_FILTER: VersionFilter = { model: undefined, alias: undefined, tag: undefined, metric: undefined, min: undefined };
import { useDrift } from '../store/drift';
import { useFeatures } from '../store/features';

type Params = Record<string, string>;

/** the selection of one pane, as address parameters (empty values left out) */
function paramsOf(pane: Pane): Params {
  const p: Params = {};
  if (pane === 'training') {
    const t = useTraining.getState();
    if (t.view) p.run = t.view.id;
    if (t.compare.length) p.compare = t.compare.join(',');
    if (t.version) p.version = t.version;
    const f = t.versionFilter;
    if (f.model) p.versionModel = f.model;
    if (f.alias) p.versionAlias = f.alias;
    if (f.tag) p.versionTag = f.tag;
    if (f.metric) p.metric = f.metric;
    if (f.min) p.min = f.min;
    if (t.compareVersions.length) p.compareVersions = t.compareVersions.join(',');
  } else if (pane === 'drift') {
    const chosen = useDrift.getState().chosen;
    if (chosen) p.model = chosen;
  } else if (pane === 'features') {
    const q = useFeatures.getState().lookup.query;
    if (q) {
      p.lookup = q.ids.join(',');
      p.target = q.target;
    }
  }
  return p;
}

export function addressOf(pane: Pane, params: Params): string {
  const q = new URLSearchParams(params).toString();
  return `#/${pane}${q ? `?${q}` : ''}`;
}

export function paramsFromHash(hash: string): Params {
  const i = hash.indexOf('?');
  return i < 0 ? {} : Object.fromEntries(new URLSearchParams(hash.slice(i + 1)));
}

const list = (v: string | undefined) => (v ? v.split(',').filter(Boolean) : []);

/** true while the stores follow the address: their changes are not written back (the pane may not have switched yet) */
let applying = false;

/** make the stores show what the address names (and close what it does not) */
function applyAddress(hash: string): void {
  applying = true;
  try {
    applySelection(hash);
  } finally {
    applying = false;
  }
}

function applySelection(hash: string): void {
  const pane = paneFromHash(hash);
  const p = paramsFromHash(hash);
  if (pane === 'training') {
    const t = useTraining.getState();
    if (p.run && t.view?.id !== p.run) void t.open(p.run);
    if (!p.run && t.view) t.close();
    const compare = list(p.compare);
    if (compare.join(',') !== t.compare.join(',')) t.setCompare(compare);
    if (p.version !== t.version) t.selectVersion(p.version);
    const filter: VersionFilter = {
      model: p.versionModel,
      alias: p.versionAlias,
      tag: p.versionTag,
      metric: p.metric as VersionFilter['metric'],
      min: p.min,
    };
    if (JSON.stringify(filter) !== JSON.stringify({ ...EMPTY_FILTER, ...t.versionFilter })) t.setVersionFilter(filter);
    const versions = list(p.compareVersions);
    if (versions.join(',') !== t.compareVersions.join(',')) t.setCompareVersions(versions);
  } else if (pane === 'drift') {
    const d = useDrift.getState();
    if (p.model && d.chosen !== p.model) void d.choose(p.model);
  } else if (pane === 'features') {
    const f = useFeatures.getState();
    const ids = list(p.lookup);
    const q = f.lookup.query;
    if (ids.length && p.target && (q?.target !== p.target || q.ids.join(',') !== ids.join(','))) void f.runLookup({ ids, target: p.target });
    if (!ids.length && q) f.clearLookup();
  }
}

let started = false;

/** read the address once and keep it in step with the stores from then on; called once, before the first render */
export function startAddressSync(): void {
  if (started) return;
  started = true;
  applyAddress(window.location.hash);
  // back and forward: the address was written by us (or typed); the stores follow it
  // (a typed or linked address too: popstate comes before hashchange, so the pane is set here first)
  window.addEventListener('popstate', () => {
    useShell.setState({ pane: paneFromHash() });
    applyAddress(window.location.hash);
  });
  // a new selection is a new history entry; the same selection is not written again
  const write = () => {
    if (applying) return;
    const pane = useShell.getState().pane;
    const next = addressOf(pane, paramsOf(pane));
    if (next !== window.location.hash) window.history.pushState(null, '', next);
  };
  useTraining.subscribe((s, prev) => {
    if (
      s.view?.id !== prev.view?.id ||
      s.compare !== prev.compare ||
      s.version !== prev.version ||
      s.versionFilter !== prev.versionFilter ||
      s.compareVersions !== prev.compareVersions
    )
      write();
  });
  useDrift.subscribe((s, prev) => s.chosen !== prev.chosen && write());
  useFeatures.subscribe((s, prev) => s.lookup.query !== prev.lookup.query && write());
  // a pane chosen in the sidebar gets its remembered selection into its address, in the same history entry
  useShell.subscribe((s, prev) => {
    if (s.pane === prev.pane) return;
    const next = addressOf(s.pane, paramsOf(s.pane));
    if (paneFromHash() === s.pane && next !== window.location.hash) window.history.replaceState(null, '', next);
  });
}
