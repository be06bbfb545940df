import { addAllPresets } from './presets';
import { runSynthesis } from './output/synthesize';

// The default app: every preset cluster, written to dist/, kind/ and cilium-values/.
runSynthesis(addAllPresets);
