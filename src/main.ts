import { runSynthesis } from './output/synthesize';
import { addAllPresets } from './presets';

// The default app: every preset cluster, written to dist/, kind/ and cilium-values/.
runSynthesis(addAllPresets);
