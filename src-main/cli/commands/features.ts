/** `spamops features v1|v2 <text...>`: a feature extractor on a text (the seed's feature1_extractor.py). */
import { Command } from 'commander';
import { GROUPS } from '../groups';
import { FeatureExtractorV1, FeatureExtractorV2 } from '../../features';
import { oneOf, out, withEngines } from '../context';

export const featuresCommand = new Command('features')
  .helpGroup(GROUPS.data)
  .description('run a feature extractor on a text')
  .argument('<generation>', 'v1 (hand-made) or v2 (token ids, needs a fitted tokenizer)', oneOf('<generation>', ['v1', 'v2'] as const))
  .argument('<text...>', 'the text')
  .action(async (gen: 'v1' | 'v2', words: string[], _o: unknown, cmd: Command) => {
    const text = words.join(' ');
    if (gen === 'v1') {
      const x = new FeatureExtractorV1();
      out(
        `get_features: ${JSON.stringify(x.extract(text))}\nget_feature_names: ${JSON.stringify(x.featureNames())}\nget_features_list: ${JSON.stringify(x.extractList(text))}`,
      );
      return;
    }
    await withEngines(cmd, async (e) => {
      const x = new FeatureExtractorV2(e.tokenizers.get());
      out(`get_features: ${JSON.stringify(x.extract(text))}\nget_feature_names: ${JSON.stringify(x.featureNames())}`);
    });
  });
