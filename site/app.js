// app.js: the page. It owns the user interface and window.cyclegan; the
// model runs in worker.js (a Go WebAssembly program), so the page never
// freezes. Weight files are fetched here, under the page's CSP, and their
// bodies are handed to the worker as streams, which decodes them while they
// download.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const ui = {
    model: $('model'), direction: $('direction'), modelFile: $('model-file'), modelNote: $('model-note'),
    drop: $('drop'), file: $('file'), camera: $('camera'), maxSide: $('max-side'), sizeNote: $('size-note'),
    progress: $('progress'), progressLabel: $('progress-label'), error: $('error'),
    original: $('original'), result: $('result'), elapsed: $('elapsed'), again: $('again'), download: $('download'),
  };
  const WEIGHT_MAGIC = [0x43, 0x47, 0x41, 0x4e, 0x57, 0x54, 0x53, 0x1a]; // "CGANWTS\x1a"

  // ---- worker RPC ---------------------------------------------------------
  const worker = new Worker('worker.js');
  let nextReq = 1;
  const pending = new Map();
  let workerFailed = null;
  let engine = '';
  const workerReady = new Promise((resolve, reject) => {
    pending.set(0, { res: (info) => { engine = info.version; resolve(info); }, rej: reject });
  });
  worker.onmessage = (ev) => {
    const m = ev.data;
    const p = pending.get(m.req);
    if (!p) return;
    if (m.type === 'progress') {
      if (p.onProgress) p.onProgress(m);
      return;
    }
    pending.delete(m.req);
    if (m.type === 'error') p.rej(new Error(m.message));
    else p.res(m.info);
  };
  worker.onerror = (ev) => {
    ev.preventDefault();
    workerFailed = new Error('The translator could not start: ' + (ev.message || 'worker error'));
    for (const p of pending.values()) p.rej(workerFailed);
    pending.clear();
  };
  function call(msg, transfer, onProgress) {
    if (workerFailed) return Promise.reject(workerFailed);
    return new Promise((res, rej) => {
      const req = nextReq++;
      pending.set(req, { res, rej, onProgress });
      worker.postMessage(Object.assign({ req }, msg), transfer || []);
    });
  }

  // ---- models -------------------------------------------------------------
  // Each entry: {name, directions, file?, url?, bytes?, sha256?, source, loaded: Promise|null}
  const models = [];
  const publicModels = []; // what window.cyclegan.models exposes

  function publish(entry) {
    models.push(entry);
    publicModels.push({ name: entry.name, directions: entry.directions.slice(), bytes: entry.bytes || 0, source: entry.source });
    const opt = document.createElement('option');
    opt.value = entry.name;
    opt.textContent = entry.name;
    ui.model.appendChild(opt);
    ui.model.disabled = false;
  }
  function findModel(name) {
    if (name === undefined || name === null || name === '') return models[0];
    return models.find((m) => m.name === name);
  }
  function updateDirections() {
    const m = findModel(ui.model.value);
    ui.direction.textContent = '';
    if (!m) return;
    for (const d of m.directions) {
      const opt = document.createElement('option');
      opt.value = d;
      opt.textContent = directionLabel(m, d);
      ui.direction.appendChild(opt);
    }
    ui.direction.disabled = m.directions.length === 0;
  }
  function directionLabel(m, d) {
    return (m.labels && m.labels[d]) || d;
  }

  // loadModel makes sure the worker holds the model; the promise is shared.
  function loadModel(entry) {
    if (!entry.loaded) {
      entry.loaded = (async () => {
        await workerReady;
        let stream, bytes = entry.bytes || 0;
        if (entry.blob) {
          stream = entry.blob.stream();
          bytes = entry.blob.size;
        } else {
          let resp;
          try {
            resp = await fetch(entry.url);
          } catch (e) {
            throw new Error(`Could not download the model ${entry.name} from ${entry.url}: ${e.message}`);
          }
          if (!resp.ok) throw new Error(`Could not download the model ${entry.name}: ${entry.url} answered ${resp.status} ${resp.statusText}`);
          stream = resp.body;
          bytes = bytes || Number(resp.headers.get('Content-Length')) || 0;
        }
        const info = await call({ type: 'load', id: entry.name, stream, sha256: entry.sha256 || '', label: entry.label }, [stream],
          (p) => showProgress(`Loading model ${entry.name}`, p.done, bytes || 0, bytes ? formatBytes(p.done) + ' of ' + formatBytes(bytes) : formatBytes(p.done)));
        if (entry.directions.length === 0 || entry.source !== 'site') {
          entry.directions = info.directions.slice();
          const pub = publicModels.find((x) => x.name === entry.name);
          if (pub) pub.directions = info.directions.slice();
          if (ui.model.value === entry.name) updateDirections();
        }
        for (const d of entry.directions) {
          if (!info.directions.includes(d)) {
            throw new Error(`The model file ${entry.label} has no direction "${d}" (it has: ${info.directions.join(', ')})`);
          }
        }
        return info;
      })();
      entry.loaded.catch(() => { entry.loaded = null; });
    }
    return entry.loaded;
  }

  async function loadSiteModels() {
    let list = [];
    try {
      const resp = await fetch('models.json', { cache: 'no-cache' });
      if (!resp.ok) throw new Error(`models.json: ${resp.status} ${resp.statusText}`);
      const doc = await resp.json();
      list = Array.isArray(doc.models) ? doc.models : [];
    } catch (e) {
      showError('Could not read the list of models: ' + e.message);
    }
    for (const m of list) {
      if (!m || typeof m.name !== 'string' || typeof m.file !== 'string') continue;
      publish({ name: m.name, directions: Array.isArray(m.directions) ? m.directions.slice() : [], labels: m.labels || null,
        url: m.file, label: m.file, bytes: m.bytes || 0, sha256: m.sha256 || '', source: 'site', loaded: null });
    }
  }

  function addModelFromParam() {
    const param = new URLSearchParams(location.search).get('model');
    if (!param) return null;
    let u;
    try {
      u = new URL(param, location.href);
    } catch (e) {
      showError(`The link's model address "${param}" is not a URL.`);
      return null;
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') {
      showError(`The link's model address "${param}" must be an http(s) URL.`);
      return null;
    }
    const name = decodeURIComponent(u.pathname.split('/').pop() || u.host);
    const entry = { name: uniqueName(name), directions: [], url: u.href, label: u.href, source: 'link', loaded: null };
    publish(entry);
    ui.modelNote.textContent = `Model from ${u.origin} (opened from a link). Only this one address is allowed besides this site.`;
    ui.modelNote.hidden = false;
    return entry;
  }

  function uniqueName(name) {
    let n = name, i = 2;
    while (models.some((m) => m.name === n)) n = `${name} (${i++})`;
    return n;
  }

  async function addLocalModel(file) {
    const entry = { name: uniqueName(file.name), directions: [], blob: file, label: file.name, bytes: file.size, source: 'file', loaded: null };
    clearError();
    try {
      await loadModel(entry);
    } catch (e) {
      showError(e.message);
      setIdle();
      return null;
    }
    publish(entry);
    ui.model.value = entry.name;
    updateDirections();
    ui.modelNote.textContent = `Model ${file.name} loaded from this device.`;
    ui.modelNote.hidden = false;
    setIdle('Model loaded. Choose a photo.');
    return entry;
  }

  // ---- translation ----------------------------------------------------------
  async function translateImageData(imageData, opts) {
    opts = opts || {};
    await api.ready;
    const entry = findModel(opts.model);
    if (!entry) throw new Error(`No model named "${opts.model}" (have: ${models.map((m) => m.name).join(', ') || 'none'})`);
    const info = await loadModel(entry);
    const direction = opts.direction || info.directions[0];
    if (!info.directions.includes(direction)) {
      throw new Error(`The model ${entry.name} has no direction "${direction}" (it has: ${info.directions.join(', ')})`);
    }
    if (!(imageData && imageData.data && imageData.width > 0 && imageData.height > 0)) {
      throw new Error('translate needs an ImageData with a width and height');
    }
    const pixels = new Uint8ClampedArray(imageData.data); // a copy; the caller keeps theirs
    const t0 = performance.now();
    const res = await call({ type: 'translate', id: entry.name, direction, width: imageData.width, height: imageData.height, buffer: pixels.buffer },
      [pixels.buffer], opts.onProgress);
    const out = new ImageData(new Uint8ClampedArray(res.buffer), res.width, res.height);
    lastTiming = { workerMs: res.ms, totalMs: performance.now() - t0 };
    return out;
  }
  let lastTiming = null;

  // ---- photos -----------------------------------------------------------------
  let current = null; // {name, imageData}

  async function isWeightFile(file) {
    if (file.size < WEIGHT_MAGIC.length) return false;
    const head = new Uint8Array(await file.slice(0, WEIGHT_MAGIC.length).arrayBuffer());
    return WEIGHT_MAGIC.every((b, i) => head[i] === b);
  }

  async function handleFile(file) {
    if (!file) return;
    clearError();
    if (await isWeightFile(file)) {
      await addLocalModel(file);
      return;
    }
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch (e) {
      showError(`${file.name || 'The file'} is not an image this browser can read (nor a model file).`);
      setIdle();
      return;
    }
    const limit = clampInt(ui.maxSide.value, 64, 4096, 1024);
    const scale = Math.min(1, limit / Math.max(bitmap.width, bitmap.height));
    const w = Math.max(1, Math.round(bitmap.width * scale));
    const h = Math.max(1, Math.round(bitmap.height * scale));
    if (scale < 1) {
      ui.sizeNote.textContent = `The photo is ${bitmap.width}×${bitmap.height}; it was scaled to ${w}×${h} (longest side ${limit} px, adjustable above).`;
      ui.sizeNote.hidden = false;
    } else {
      ui.sizeNote.hidden = true;
    }
    ui.original.width = w;
    ui.original.height = h;
    const ctx = ui.original.getContext('2d');
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, 0, 0, w, h);
    bitmap.close();
    current = { name: file.name || 'photo', imageData: ctx.getImageData(0, 0, w, h) };
    await runCurrent();
  }

  async function runCurrent() {
    if (!current) return;
    clearError();
    ui.again.disabled = true;
    ui.download.hidden = true;
    document.body.dataset.state = 'working';
    const started = performance.now();
    try {
      const out = await translateImageData(current.imageData, {
        model: ui.model.value, direction: ui.direction.value,
        onProgress: (p) => showProgress('Translating', p.done, p.total, `layer ${p.done} of ${p.total}, ${(p.ms / 1000).toFixed(1)} s`),
      });
      ui.result.width = out.width;
      ui.result.height = out.height;
      ui.result.getContext('2d').putImageData(out, 0, 0);
      const secs = (performance.now() - started) / 1000;
      ui.elapsed.textContent = `(${secs.toFixed(1)} s)`;
      setIdle(`Done in ${secs.toFixed(1)} s.`);
      await offerDownload();
      document.body.dataset.state = 'done';
    } catch (e) {
      showError(e.message);
      setIdle();
      document.body.dataset.state = 'error';
    } finally {
      ui.again.disabled = false;
    }
  }

  let downloadURL = null;
  async function offerDownload() {
    const blob = await new Promise((res) => ui.result.toBlob(res, 'image/png'));
    if (!blob) return;
    if (downloadURL) URL.revokeObjectURL(downloadURL);
    downloadURL = URL.createObjectURL(blob);
    ui.download.href = downloadURL;
    const base = (current && current.name.replace(/\.[^.]*$/, '')) || 'photo';
    ui.download.download = `${base}-${ui.direction.value || 'translated'}.png`;
    ui.download.hidden = false;
    ui.download.removeAttribute('aria-disabled');
  }

  // ---- status ---------------------------------------------------------------
  function showProgress(what, done, total, detail) {
    ui.progress.max = total > 0 ? total : 1;
    if (total > 0) ui.progress.value = Math.min(done, total); else ui.progress.removeAttribute('value');
    ui.progressLabel.textContent = `${what}: ${detail}`;
  }
  function setIdle(text) {
    ui.progress.max = 1;
    ui.progress.value = 0;
    ui.progressLabel.textContent = text || 'Ready. Choose a photo.';
  }
  function showError(msg) {
    ui.error.textContent = msg;
    ui.error.hidden = false;
  }
  function clearError() {
    ui.error.textContent = '';
    ui.error.hidden = true;
  }
  function formatBytes(n) {
    if (n < 1024) return `${n} B`;
    if (n < 1 << 20) return `${(n / 1024).toFixed(0)} KB`;
    return `${(n / (1 << 20)).toFixed(1)} MB`;
  }
  function clampInt(v, lo, hi, def) {
    const n = Math.round(Number(v));
    if (!Number.isFinite(n)) return def;
    return Math.min(hi, Math.max(lo, n));
  }

  // ---- wiring -----------------------------------------------------------------
  ui.file.addEventListener('change', () => { handleFile(ui.file.files[0]); ui.file.value = ''; });
  ui.camera.addEventListener('change', () => { handleFile(ui.camera.files[0]); ui.camera.value = ''; });
  ui.modelFile.addEventListener('change', () => {
    const f = ui.modelFile.files[0];
    ui.modelFile.value = '';
    if (f) addLocalModel(f);
  });
  ui.model.addEventListener('change', updateDirections);
  ui.again.addEventListener('click', runCurrent);
  for (const t of [ui.drop, document.body]) {
    t.addEventListener('dragover', (e) => { e.preventDefault(); ui.drop.classList.add('over'); });
    t.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
    t.addEventListener('drop', (e) => {
      e.preventDefault();
      e.stopPropagation();
      ui.drop.classList.remove('over');
      if (e.dataTransfer && e.dataTransfer.files.length) handleFile(e.dataTransfer.files[0]);
    });
  }
  ui.drop.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); ui.file.click(); }
  });
  document.addEventListener('paste', (e) => {
    const items = e.clipboardData ? Array.from(e.clipboardData.files) : [];
    if (items.length) { e.preventDefault(); handleFile(items[0]); }
  });

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('sw.js').catch((e) => console.warn('offline mode unavailable:', e.message));
  }

  // ---- public API -------------------------------------------------------------
  const api = {
    models: publicModels,
    translate: (imageData, opts) => translateImageData(imageData, opts),
    loadModelFile: (file) => addLocalModel(file).then((e) => { if (!e) throw new Error(ui.error.textContent); return e.name; }),
    get lastTiming() { return lastTiming; },
    get version() { return engine; }, // Go version and GEMM kernel of the worker
  };
  api.ready = (async () => {
    await loadSiteModels();
    addModelFromParam();
    ui.model.value = (models[0] && models[0].name) || '';
    updateDirections();
    await workerReady;
    setIdle(models.length ? 'Ready. Choose a photo.' : 'Ready. No model is published here: load a model file.');
    document.body.dataset.state = 'ready';
  })();
  api.ready.catch((e) => {
    showError(e.message);
    ui.progressLabel.textContent = 'The translator is not available.';
    document.body.dataset.state = 'error';
  });
  window.cyclegan = api;
})();
