// TF.js and the model: loaded only when the widget is first used (a separate chunk).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel } from '@tensorflow/tfjs-converter';

export async function createEngine({ base, modelUrl, imageSize }) {
  setWasmPaths(base);
  let backend = 'wasm';
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed');
  } catch (err) {
    backend = 'cpu';
    await tf.setBackend('cpu');
  }
  await tf.ready();
  const model = await loadGraphModel(modelUrl);
  const predict = (ink) => tf.tidy(() => {
    const x = tf.tensor4d(ink, [1, imageSize, imageSize, 1]);
    const y = model.predict(x);
    return tf.reshape(Array.isArray(y) ? y[0] : y, [-1]);
  });
  // Warm up once so the first real search is as fast as the rest.
  const warm = predict(new Float32Array(imageSize * imageSize));
  await warm.data();
  warm.dispose();
  return {
    backend: tf.getBackend() || backend,
    async scores(ink) {
      const t = predict(ink);
      const data = await t.data();
      t.dispose();
      return data;
    },
  };
}
