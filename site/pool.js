// pool.js: the page's translation workers. A pool is N Web Workers
// (worker.js, each running the Go program), connected to one another by
// MessageChannels, one per pair. A photo big enough to split is cut into
// bands of rows, one a worker; the workers exchange the rows at their
// bands' edges and the InstanceNorm statistics over those channels
// (wasm/band.go) and the pool joins their bands. At the model's scale the
// bands are those of the photo scaled down (wasm/band_scale.go). Smaller
// photos run on worker 0. Requires nothing of the host: no cross-origin isolation, no
// SharedArrayBuffer.
'use strict';

(function () {
  // defaultWorkers is the pool size: ?workers=N in the page's address
  // (1–16), else one a core, at most 8.
  function defaultWorkers() {
    const param = new URLSearchParams(location.search).get('workers');
    const n = Math.round(Number(param));
    if (param !== null && Number.isFinite(n) && n >= 1) return Math.min(16, n);
    return Math.max(1, Math.min(8, navigator.hardwareConcurrency || 1));
  }

  let nextPool = 1;

  // WorkerPool starts size workers. onFailure(error) is called once, when a
  // worker fails or dies (not when the pool is terminated): the pool is
  // then unusable and every request has been rejected with that error.
  class WorkerPool {
    constructor(size, onFailure) {
      this.size = size;
      this.failed = null;
      this.terminated = false;
      this.onFailure = onFailure;
      this.nextReq = 1;
      this.nextJob = 1;
      this.lanes = [];
      const tag = `cyclegan-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${nextPool++}`;
      for (let i = 0; i < size; i++) this.lanes.push(this.startLane(i, `${tag}-${i}`));
      if (size > 1) this.connect();
      this.ready = Promise.all(this.lanes.map((l) => l.ready)).then((infos) => infos[0]);
      this.ready.catch(() => {}); // reported to whoever waits for it
    }

    // startLane starts worker i. name is a Web Lock the worker holds while
    // it lives (worker.js): the pool asks for the same lock, which it gets
    // only when the worker is gone, so a worker that is terminated or
    // crashes without an error event is noticed too.
    startLane(i, name) {
      const w = new Worker('worker.js', { name });
      const lane = { index: i, worker: w, pending: new Map() };
      lane.ready = new Promise((resolve, reject) => {
        lane.pending.set(0, { res: resolve, rej: reject });
      });
      w.onmessage = (ev) => {
        const m = ev.data;
        const p = lane.pending.get(m.req);
        if (!p) return;
        if (m.type === 'progress') {
          if (p.onProgress) p.onProgress(m);
          return;
        }
        lane.pending.delete(m.req);
        if (m.type === 'error') p.rej(new Error(m.message));
        else p.res(m.info);
      };
      w.onerror = (ev) => {
        ev.preventDefault();
        const started = !lane.pending.has(0);
        this.fail(i, started ? `Translation worker ${i + 1} of ${this.size} failed: ${ev.message || 'worker error'}.`
          : 'The translator could not start: ' + (ev.message || 'worker error'));
      };
      lane.ready.then(() => {
        if (navigator.locks && !this.terminated) {
          navigator.locks.request(name, () => {
            this.fail(i, `Translation worker ${i + 1} of ${this.size} stopped (it may have run out of memory). The page restarted its workers: try again, perhaps with a smaller photo.`);
          });
        }
      }, () => {});
      return lane;
    }

    // connect gives every worker a port to every other one.
    connect() {
      const ports = this.lanes.map(() => new Array(this.size).fill(null));
      for (let i = 0; i < this.size; i++) {
        for (let j = i + 1; j < this.size; j++) {
          const ch = new MessageChannel();
          ports[i][j] = ch.port1;
          ports[j][i] = ch.port2;
        }
      }
      ports.forEach((list, i) => {
        this.call(i, { type: 'connect', me: i, ports: list }, list.filter((p) => p)).catch(() => {});
      });
    }

    // fail rejects every request with a clear error and tells onFailure.
    fail(i, message) {
      if (this.failed || this.terminated) return;
      this.failed = new Error(message);
      this.failed.worker = i;
      this.rejectAll(this.failed);
      if (this.onFailure) this.onFailure(this.failed);
    }

    rejectAll(reason) {
      for (const lane of this.lanes) {
        for (const p of lane.pending.values()) p.rej(reason);
        lane.pending.clear();
      }
    }

    // terminate ends every worker, rejecting its requests with reason.
    terminate(reason) {
      this.terminated = true;
      for (const lane of this.lanes) lane.worker.terminate();
      this.rejectAll(reason);
    }

    // call sends msg to worker i; a Promise of its answer.
    call(i, msg, transfer, onProgress) {
      if (this.failed) return Promise.reject(this.failed);
      const lane = this.lanes[i];
      return new Promise((res, rej) => {
        const req = this.nextReq++;
        lane.pending.set(req, { res, rej, onProgress });
        lane.worker.postMessage(Object.assign({ req }, msg), transfer || []);
      });
    }

    // memory is a Promise of each worker's WebAssembly memory in bytes
    // (which never shrinks: the worker's peak).
    memory() {
      return Promise.all(this.lanes.map((_, i) => this.call(i, { type: 'memory' }).then((r) => r.bytes)));
    }

    // load loads a model into every worker from stream (a ReadableStream,
    // split for each), progress reported by worker 0's download.
    load(msg, stream, onProgress) {
      const streams = [];
      let rest = stream;
      for (let i = 0; i < this.size; i++) {
        if (i === this.size - 1) {
          streams.push(rest);
        } else {
          const [a, b] = rest.tee();
          streams.push(a);
          rest = b;
        }
      }
      return Promise.all(streams.map((s, i) =>
        this.call(i, Object.assign({}, msg, { stream: s }), [s], i === 0 ? onProgress : null)))
        .then((infos) => infos[0]);
    }

    // translate translates imageData (an ImageData) with worker 0 alone, or
    // split across the workers when the generator's input is big enough
    // (plan says; opts.scale as the translate request's): the photo's rows
    // at full resolution, or, at the model's scale, the scaled photo's rows
    // (worker 0 scales the photo down and carries the joined bands up).
    // single (a function of no argument) runs the one-worker translation.
    // Progress is that of the band furthest behind.
    async translate(imageData, opts, single) {
      if (this.size < 2) return single();
      const { id, direction, scale } = opts;
      const { width, height } = imageData;
      let plan;
      try {
        plan = await this.call(0, { type: 'plan', id, direction, width, height, workers: this.size, scale });
      } catch (e) {
        return single(); // a photo the translator refuses: its own message
      }
      if (plan.bands.length < 2) return single();
      try {
        return await (plan.scaled ? this.scaledBands(imageData, opts, plan) : this.photoBands(imageData, opts, plan));
      } catch (e) {
        // the other workers wait for the failed one's rows: they cannot
        // finish this photo
        if (!this.failed && !this.terminated) this.fail(-1, e.message);
        throw this.failed || e;
      }
    }

    // runBands runs one translateBand request a band (msg(i, band): the
    // request and its transfer list), reporting the fraction of the
    // slowest band to onFraction; a Promise of the results.
    runBands(bands, msg, onFraction) {
      const fractions = bands.map(() => 0);
      return Promise.all(bands.map((b, i) => {
        const [m, transfer] = msg(i, b);
        return this.call(i, Object.assign({ type: 'translateBand', bands: bands.length, index: i }, m), transfer, (p) => {
          fractions[i] = p.total > 0 ? p.done / p.total : 0;
          onFraction(Math.min(...fractions), p.total);
        });
      }));
    }

    // photoBands translates at full resolution, a band of the photo's rows
    // a worker.
    async photoBands(imageData, { id, direction, onProgress }, plan) {
      const { width, height } = imageData;
      const bands = plan.bands;
      const job = this.nextJob++;
      const rowBytes = width * 4;
      const t0 = performance.now();
      const results = await this.runBands(bands, (i, b) => {
        const px = imageData.data.slice(b.src0 * rowBytes, b.src1 * rowBytes);
        return [{ id, direction, width, height, job, buffer: px.buffer }, [px.buffer]];
      }, (f, total) => {
        if (onProgress) onProgress({ done: Math.round(f * total), total, ms: performance.now() - t0 });
      });
      const out = new Uint8ClampedArray(rowBytes * height);
      results.forEach((r, i) => out.set(new Uint8ClampedArray(r.buffer), bands[i].out0 * rowBytes));
      return { width, height, buffer: out.buffer, ms: Math.max(...results.map((r) => r.ms)), workers: bands.length };
    }

    // scaledBands translates at the model's scale: worker 0 scales the
    // photo down and cuts it into the bands' inputs, each worker runs a
    // band, and worker 0 joins their outputs and carries them up.
    async scaledBands(imageData, { id, direction, onProgress }, plan) {
      const { width, height } = imageData;
      const bands = plan.bands;
      const job = this.nextJob++;
      const t0 = performance.now();
      const report = (done, total) => {
        if (onProgress) onProgress({ done: Math.round(done), total, ms: performance.now() - t0 });
      };
      const px = new Uint8ClampedArray(imageData.data); // a copy; the caller keeps theirs
      const down = await this.call(0, { type: 'scaleDown', id, direction, width, height, workers: this.size, job, buffer: px.buffer }, [px.buffer]);
      if (down.inputs.length !== bands.length) throw new Error(`The photo was cut into ${down.inputs.length} bands, not the ${bands.length} planned.`);
      const total = down.down + down.forward + down.carry;
      report(down.down, total);
      const results = await this.runBands(bands, (i) =>
        [{ id, direction, width: plan.width, height: plan.height, job, tensor: down.inputs[i] }, [down.inputs[i]]],
      (f) => report(down.down + f * down.forward, total));
      const outputs = results.map((r) => r.buffer);
      const up = await this.call(0, { type: 'carryUp', job, outputs }, outputs);
      report(total, total);
      return { width, height, buffer: up.buffer, ms: down.ms + Math.max(...results.map((r) => r.ms)) + up.ms, workers: bands.length };
    }
  }

  self.CycleganPool = { WorkerPool, defaultWorkers };
})();
