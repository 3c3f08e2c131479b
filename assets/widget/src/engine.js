// TF.js and the model: loaded only when the widget is first used (a separate chunk).
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel } from '@tensorflow/tfjs-converter';

export async function createEngine({ base, modelUrl, sketchUrl, imageSize }) {
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
  // The model's outputs by name (model_build/convert.py): "probabilities", and "embedding" when
  // the site learned sketches; then the sketch head (embedding -> names) is a model of its own,
  // fetched on the first sketch (model_build/network.py: exported).
  const signature = model.modelSignature?.outputs || {};
  const node = (name) => signature[name]?.name;
  let sketchModel = null;
  const predict = (ink, n, names) => tf.tidy(() => {
    const x = tf.tensor4d(ink, [n, imageSize, imageSize, 1]);
    if (!names.includes('sketch')) {
      const y = node('probabilities') ? model.execute(x, node('probabilities')) : model.predict(x);
      return [tf.reshape(Array.isArray(y) ? y[0] : y, [-1])];
    }
    const [probabilities, embedding] = model.execute(x, [node('probabilities'), node('embedding')]);
    const sketch = sketchModel.execute(embedding, sketchModel.modelSignature.outputs.sketch.name);
    return [probabilities, sketch].map((t) => tf.reshape(t, [-1]));
  });
  const warmUp = async (names) => {
    for (const n of [1, 2]) { // a plain query, and one with a leading view
      const warm = predict(new Float32Array(n * imageSize * imageSize), n, names);
      await Promise.all(warm.map((t) => t.data()));
      warm.forEach((t) => t.dispose());
    }
  };
  await warmUp(['probabilities']); // once, so the first real search is as fast as the rest
  let sketchReady = null;
  return {
    backend: tf.getBackend() || backend,
    outputs: sketchUrl && node('embedding') ? ['probabilities', 'sketch'] : ['probabilities'],
    /** For n inputs, each named output's probabilities ("probabilities": the classes', "sketch":
     * the names'), the inputs one after another in one Float32Array per output. */
    async scores(ink, n = 1, names = ['probabilities']) {
      if (names.includes('sketch')) {
        if (!sketchReady) {
          sketchReady = loadGraphModel(sketchUrl).then(async (m) => { sketchModel = m; await warmUp(['sketch']); });
          sketchReady.catch(() => { sketchReady = null; });
        }
        await sketchReady;
      }
      const ts = predict(ink, n, names);
      const data = await Promise.all(ts.map((t) => t.data()));
      ts.forEach((t) => t.dispose());
      return data;
    },
  };
}
