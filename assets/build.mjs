// Builds the widget bundle into assets/dist (a build artefact, shipped in the wheel, never committed).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await build({
  entryPoints: { iconsearch: join(here, 'widget/src/index.js') },
  outdir: dist,
  bundle: true,
  splitting: true, // TF.js sits in a chunk loaded on first use
  format: 'esm',
  minify: true,
  target: 'es2020',
  platform: 'browser',
  chunkNames: 'chunks/[name]-[hash]',
  external: ['fs', 'path', 'os', 'worker_threads', 'perf_hooks', 'crypto'],
  legalComments: 'linked',
  logLevel: 'info',
});
copyFileSync(join(here, 'widget/iconsearch.css'), join(dist, 'iconsearch.css'));
const wasmDir = join(here, '..', 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(dist, f));
