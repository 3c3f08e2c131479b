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
  // The model's outputs by name (model_build/convert.py): "probabilities", and "sketch" when the
  // site learned sketches. A search runs the ones it needs, in one pass.
  const signature = model.modelSignature?.outputs || {};
  const available = signature.probabilities ? Object.keys(signature) : ['probabilities'];
  const predict = (ink, n, names) => tf.tidy(() => {
    const x = tf.tensor4d(ink, [n, imageSize, imageSize, 1]);
    const y = signature.probabilities ? model.execute(x, names.map((name) => signature[name].name)) : model.predict(x);
    return (Array.isArray(y) ? y : [y]).map((t) => tf.reshape(t, [-1]));
  });
  // Warm up once so the first real search is as fast as the rest.
  for (const n of [1, 2]) {  // a plain query, and one with a leading view
    for (const names of [['probabilities'], available]) {
      const warm = predict(new Float32Array(n * imageSize * imageSize), n, names);
      await Promise.all(warm.map((t) => t.data()));
      warm.forEach((t) => t.dispose());
    }
  }
  return {
    backend: tf.getBackend() || backend,
    outputs: available,
    /** For n inputs, each named output's probabilities ("probabilities": the classes', "sketch":
     * the names'), the inputs one after another in one Float32Array per output. */
    async scores(ink, n = 1, names = ['probabilities']) {
      const ts = predict(ink, n, names);
      const data = await Promise.all(ts.map((t) => t.data()));
      ts.forEach((t) => t.dispose());
      return data;
    },
  };
}
