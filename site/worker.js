// worker.js: runs the Go WebAssembly translator (cyclegan.wasm) off the
// page's main thread. Messages in: {req, type: 'load', id, stream, sha256,
// label}, {req, type: 'translate', id, direction, width, height, buffer}, and
// for a pool of workers (pool.js) {req, type: 'connect' | 'plan' |
// 'translateBand' | 'scaleDown' | 'carryUp', ...}.
// Messages out: {req, type: 'progress' | 'done' | 'error', ...}; req 0 is
// start-up.
'use strict';
importScripts('wasm_exec.js');

// A 1-function module using v128 (i32x4.splat): validates only where the
// browser has WebAssembly SIMD, which the translator's kernels need.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

const goReady = new Promise((resolve, reject) => {
  self.cycleganGoReady = resolve;
  (async () => {
    if (typeof WebAssembly !== 'object') throw new Error('This browser has no WebAssembly; the translator needs it.');
    if (!WebAssembly.validate(SIMD_PROBE)) throw new Error('This browser lacks WebAssembly SIMD, which the translator needs. Please update it.');
    const go = new Go();
    const resp = fetch('cyclegan.wasm');
    let instance;
    try {
      ({ instance } = await WebAssembly.instantiateStreaming(resp, go.importObject));
    } catch (e) {
      // Hosts that serve .wasm with the wrong MIME type break streaming compilation.
      const buf = await (await fetch('cyclegan.wasm')).arrayBuffer();
      ({ instance } = await WebAssembly.instantiate(buf, go.importObject));
    }
    self.cycleganMemory = instance.exports.mem; // grows, never shrinks: its size is the peak
    go.run(instance).then(() => reject(new Error('The translator stopped unexpectedly.')));
  })().catch(reject);
});

// The worker holds a Web Lock named after it (its pool's name for it) while
// it lives, so that the pool notices when it is gone (pool.js).
const lockHeld = new Promise((resolve) => {
  if (!self.name || !self.navigator.locks) return resolve();
  self.navigator.locks.request(self.name, () => {
    resolve();
    return new Promise(() => {});
  }).catch(resolve);
});

Promise.all([goReady, lockHeld]).then(
  () => postMessage({ req: 0, type: 'done', info: { version: self.cycleganGo.version } }),
  (e) => postMessage({ req: 0, type: 'error', message: e.message || String(e) }),
);

self.onmessage = async (ev) => {
  const m = ev.data;
  const progress = (extra) => postMessage(Object.assign({ req: m.req, type: 'progress' }, extra));
  try {
    await goReady;
    const go = self.cycleganGo;
    if (m.type === 'load') {
      const info = await go.load(m.id, m.stream, m.sha256 || '', m.label || m.id, (done) => progress({ done }));
      postMessage({ req: m.req, type: 'done', info: { directions: Array.from(info.directions) } });
    } else if (m.type === 'translate') {
      const r = await go.translate(m.id, m.direction, new Uint8ClampedArray(m.buffer), m.width, m.height,
        (done, total, ms) => progress({ done, total, ms }), m.source || null, m.scale || null);
      const buf = r.pixels.buffer;
      postMessage({ req: m.req, type: 'done', info: { width: r.width, height: r.height, ms: r.ms, buffer: buf } }, [buf]);
    } else if (m.type === 'connect') { // pool.js: ports to the other workers
      await go.connect(m.me, m.ports);
      postMessage({ req: m.req, type: 'done', info: {} });
    } else if (m.type === 'plan') {
      const p = await go.plan(m.id, m.direction, m.width, m.height, m.workers, m.scale || null);
      postMessage({ req: m.req, type: 'done', info: { scaled: p.scaled, width: p.width, height: p.height,
        bands: Array.from(p.bands, (b) => ({ src0: b.src0, src1: b.src1, out0: b.out0, out1: b.out1 })) } });
    } else if (m.type === 'translateBand') { // m.buffer: the photo's rows; m.tensor: a band at the model's scale
      const input = m.tensor ? new Float32Array(m.tensor) : new Uint8ClampedArray(m.buffer);
      const r = await go.translateBand(m.id, m.direction, input, m.width, m.height, m.bands, m.index, m.job,
        (done, total, ms) => progress({ done, total, ms }));
      const buf = (r.pixels || r.tensor).buffer;
      postMessage({ req: m.req, type: 'done', info: { ms: r.ms, buffer: buf } }, [buf]);
    } else if (m.type === 'scaleDown') {
      const r = await go.scaleDown(m.id, m.direction, new Uint8ClampedArray(m.buffer), m.width, m.height, m.workers, m.job);
      const inputs = Array.from(r.inputs, (a) => a.buffer);
      postMessage({ req: m.req, type: 'done', info: { inputs, down: r.down, forward: r.forward, carry: r.carry, ms: r.ms } }, inputs);
    } else if (m.type === 'carryUp') {
      const r = await go.carryUp(m.job, m.outputs.map((b) => new Float32Array(b)));
      const buf = r.pixels.buffer;
      postMessage({ req: m.req, type: 'done', info: { ms: r.ms, buffer: buf } }, [buf]);
    } else if (m.type === 'memory') {
      postMessage({ req: m.req, type: 'done', info: { bytes: self.cycleganMemory.buffer.byteLength } });
    } else if (m.type === 'unload') {
      go.unload(m.id);
      postMessage({ req: m.req, type: 'done', info: {} });
    } else {
      throw new Error('unknown request ' + m.type);
    }
  } catch (e) {
    postMessage({ req: m.req, type: 'error', message: (e && e.message) || String(e) });
  }
};
