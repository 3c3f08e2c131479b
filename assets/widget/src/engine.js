// TF.js and the model: loaded only when the widget is first used (a separate chunk).
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel } from '@tensorflow/tfjs-converter';

export async function createEngine({ base, modelUrl, imageSize }) {
  setWasmPaths(base);
  let backend = 'wasm';
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed');
  } catch (err) {
    // No WebAssembly (rare): the plain-JS backend, in a chunk of its own fetched only then.
    backend = 'cpu';
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
  }
  await tf.ready();
  const model = await loadGraphModel(modelUrl);
  const predict = (ink, n = 1) => tf.tidy(() => {
    const x = tf.tensor4d(ink, [n, imageSize, imageSize, 1]);
    const y = model.predict(x);
    return tf.reshape(Array.isArray(y) ? y[0] : y, [-1]);
  });
  // Warm up once so the first real search is as fast as the rest.
  for (const n of [1, 2]) {  // a plain query, and one with a leading view
    const warm = predict(new Float32Array(n * imageSize * imageSize), n);
    await warm.data();
    warm.dispose();
  }
  return {
    backend: tf.getBackend() || backend,
    /** Class probabilities for n inputs, one after another in one Float32Array. */
    async scores(ink, n = 1) {
      const t = predict(ink, n);
      const data = await t.data();
      t.dispose();
      return data;
    },
  };
}
