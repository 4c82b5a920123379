/**
 * The dependency rules of SpamOps, checked by `npm test` (`npm run deps`):
 *   shells (cli, api, setup, electron, bench, tests) → composition (engines.ts) → engines
 *   (training, serving, inbox, monitoring, streaming) → models (registry, artifacts, model families)
 *   → featurestore / features / dataset → storage → platform;
 *   src-shared below all; the renderer talks to src-main only over HTTP.
 * Type-only imports count (tsPreCompilationDeps), so a cycle of types is a cycle too.
 */
const ENGINE = '^src-main/(platform|storage|features|featurestore|dataset|models|training|serving|inbox|monitoring|streaming)/';
const SHELL = '^src-main/(api|cli|setup|electron|testing|scratch)/';
/** tests exercise the composed engines through the shells' fixtures: they are shells too */
const TEST = '\\.test\\.ts$';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'No import cycle anywhere, type-only ones included.', from: {}, to: { circular: true } },
    {
      name: 'renderer-not-to-main',
      severity: 'error',
      comment: 'The console reaches the engines over HTTP only.',
      from: { path: '^src-renderer/' },
      to: { path: '^src-main/' },
    },
    {
      name: 'shared-is-the-bottom',
      severity: 'error',
      comment: 'src-shared holds contracts; it imports neither side.',
      from: { path: '^src-shared/' },
      to: { path: '^(src-main|src-renderer)/' },
    },
    {
      name: 'engines-not-to-shells',
      severity: 'error',
      comment: 'Engines never import the API, the CLI, the set-up workflows or the composition root.',
      from: { path: ENGINE, pathNot: TEST },
      to: { path: [SHELL, '^src-main/engines\\.ts$'] },
    },
    {
      name: 'config-at-the-edge',
      severity: 'error',
      comment:
        'Engines get their settings handed down by engines.ts; only the shells read the configuration (and only config.ts, the CLI, the Electron shell and tests read process.env: Biome noProcessEnv).',
      from: { path: ENGINE, pathNot: TEST },
      to: { path: '^src-main/config\\.ts$' },
    },
    {
      name: 'only-shells-compose',
      severity: 'error',
      comment: 'Only the shells (and the config they read) import the composition root.',
      from: { pathNot: [SHELL, '^src-main/engines\\.ts$', '^bench/', '^e2e/', TEST] },
      to: { path: '^src-main/engines\\.ts$' },
    },
    {
      name: 'public-faces-only',
      severity: 'error',
      comment: "A folder of src-main is used through its index.ts; another folder's inner files are not imported.",
      from: { path: '^src-main/([^/]+)/', pathNot: TEST },
      to: { path: '^src-main/([^/]+)/.+', pathNot: ['^src-main/$1/', '^src-main/[^/]+/index\\.ts$', '^src-main/storage/(sqlite|cassandra)/index\\.ts$'] },
    },
    {
      name: 'platform-is-the-floor',
      severity: 'error',
      comment: 'platform/ imports no other part of src-main.',
      from: { path: '^src-main/platform/', pathNot: TEST },
      to: { path: '^src-main/', pathNot: '^src-main/platform/' },
    },
    {
      name: 'storage-over-platform-only',
      severity: 'error',
      comment: 'storage/ knows only platform/ (and the shared contracts).',
      from: { path: '^src-main/storage/', pathNot: TEST },
      to: { path: '^src-main/', pathNot: ['^src-main/(storage|platform)/'] },
    },
    {
      name: 'features-layer',
      severity: 'error',
      comment: 'features/, featurestore/ and dataset/ sit on storage and platform; they import no engine above them.',
      from: { path: '^src-main/(features|featurestore|dataset)/', pathNot: TEST },
      to: { path: '^src-main/(models|training|serving|inbox|monitoring)/' },
    },
    {
      name: 'models-below-engines',
      severity: 'error',
      comment: 'models/ (the registry, the artifacts, the model families) knows none of the engines that train, serve or monitor with it.',
      from: { path: '^src-main/models/', pathNot: TEST },
      to: { path: '^src-main/(training|serving|inbox|monitoring|streaming)/' },
    },
    {
      name: 'serving-monitoring-not-training',
      severity: 'error',
      comment: 'Serving and monitoring reach models through the family interface and registry (models/), never through training/.',
      from: { path: '^src-main/(serving|monitoring|inbox)/', pathNot: TEST },
      to: { path: '^src-main/training/' },
    },
    {
      name: 'families-are-plugins',
      severity: 'error',
      comment:
        'A model family (models/<family>/) is named only by the family registry (models/families.ts); everyone else goes through the ModelFamily interface, so no family is branched on outside its plugin.',
      from: { pathNot: ['^src-main/models/(families\\.ts$|[^/]+/)', '^bench/', TEST] },
      to: { path: '^src-main/models/[^/]+/' },
    },
    {
      name: 'training-below-serving',
      severity: 'error',
      comment: 'Training knows nothing of serving, the inbox or monitoring.',
      from: { path: '^src-main/training/', pathNot: TEST },
      to: { path: '^src-main/(serving|inbox|monitoring)/' },
    },
    {
      name: 'serving-below-monitoring',
      severity: 'error',
      comment: 'Serving and the inbox do not import monitoring (it observes them).',
      from: { path: '^src-main/(serving|inbox)/', pathNot: TEST },
      to: { path: '^src-main/monitoring/' },
    },
    {
      name: 'streaming-over-inbox',
      severity: 'error',
      comment: 'The stream feeds the inbox engines (the feature step, the user-data store); it knows nothing of serving, training or monitoring.',
      from: { path: '^src-main/streaming/', pathNot: TEST },
      to: { path: '^src-main/(serving|training|monitoring)/' },
    },
    {
      name: 'streaming-loaded-on-demand',
      severity: 'error',
      comment: 'Only the composition root loads the stream (dynamically, when it is on); others may import its types.',
      from: { pathNot: ['^src-main/engines\\.ts$', '^src-main/streaming/', '^bench/', TEST] },
      to: { path: '^src-main/streaming/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'nats-in-streaming-only',
      severity: 'error',
      comment: "The NATS client is the stream engine's business: the embedded default never loads it.",
      from: { pathNot: ['^src-main/streaming/', '^bench/', TEST] },
      to: { path: 'node_modules/@nats-io/' },
    },
    {
      name: 'only-tests-use-testing',
      severity: 'error',
      comment:
        'src-main/testing/ holds test-only helpers: the shipped code (the CLI, its bench, the app) never imports it; what the bench shares with the tests lives in src-main/scratch/.',
      from: { pathNot: [TEST, '^src-main/testing/', '^e2e/'] },
      to: { path: '^src-main/testing/' },
    },
    { name: 'no-unresolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^node_modules', '^out/', '\\.d\\.ts$'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
