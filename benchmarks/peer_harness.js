// Benchmark-only harness for the peer model (Ant Design's former classifier), with its own
// preprocessing: RGB, bilinear resize to 224 (align corners), scaled to [-1, 1].
// Bundled by benchmarks/accuracy.py into a temporary folder; never shipped.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel } from '@tensorflow/tfjs-converter';

let model, classes;
window.peer = {
  async load(modelUrl, classesUrl, wasmBase) {
    setWasmPaths(wasmBase);
    await tf.setBackend('wasm');
    await tf.ready();
    model = await loadGraphModel(modelUrl);
    classes = await (await fetch(classesUrl)).json();
    return tf.getBackend();
  },
  async search(blob, k = 5) {
    const bitmap = await createImageBitmap(blob);
    const scores = tf.tidy(() => {
      const x = tf.cast(tf.browser.fromPixels(bitmap, 3), 'float32');
      const resized = tf.image.resizeBilinear(x, [224, 224], true);
      const input = tf.expandDims(tf.div(tf.sub(resized, 127.5), 127.5), 0);
      return tf.reshape(model.predict(input), [-1]);
    });
    const data = await scores.data();
    scores.dispose();
    const order = Array.from(data.keys()).sort((a, b) => data[b] - data[a]).slice(0, k);
    return order.map((i) => ({ name: classes[i], score: data[i] }));
  },
};
