import { runSynthesis } from './bundle/synthesize';
import { addAllPresets } from './presets/index';

// The default app: every preset cluster, written to dist/, kind/ and cilium-values/.
runSynthesis(addAllPresets);
