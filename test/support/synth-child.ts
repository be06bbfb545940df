/**
 * `node synth-child.js <root> <bundle.json-file>`: writes that bundle (a JSON list of `BundleFile`s) with
 * `writeFilesAtomically` in its own process, with the hooks of `child-hooks.ts`. The write alone (no cdk8s), so
 * the process starts fast: the kill campaign starts hundreds.
 */
import * as fs from 'fs';
import { childMain } from './child-hooks';
import type { BundleFile } from '../../src';
import { writeFilesAtomically } from '../../src/bundle/write';

childMain((root, source) => writeFilesAtomically(root, JSON.parse(fs.readFileSync(source, 'utf8')) as BundleFile[], ['dist', 'kind', 'cilium-values']));
