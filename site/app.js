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
    drop: $('drop'), file: $('file'), camera: $('camera'), maxSide: $('max-side'), sizeNote: $('size-note'), detail: $('detail'),
    progress: $('progress'), progressLabel: $('progress-label'), cancel: $('cancel'), queueNote: $('queue-note'), error: $('error'),
    original: $('original'), result: $('result'), elapsed: $('elapsed'), again: $('again'), download: $('download'),
  };
  const WEIGHT_MAGIC = [0x43, 0x47, 0x41, 0x4e, 0x57, 0x54, 0x53, 0x1a]; // "CGANWTS\x1a"

  // ---- workers ------------------------------------------------------------
  // The workers are a pool (pool.js): N Web Workers, each running the Go
  // program, with a photo big enough split across them. Go's WebAssembly
  // is single-threaded and busy while it translates, so a running request
  // cannot be told to stop. Cancelling terminates the pool and starts a
  // fresh one (restartWorker); so does a worker that fails or dies. The
  // fresh workers load the models again when they are next used (from the
  // service worker's cache).
  let pool = null;
  let engine = '';
  let wantWorkers = CycleganPool.defaultWorkers(); // window.cyclegan.workers

  function startWorker() {
    const p = new CycleganPool.WorkerPool(wantWorkers, (err) => {
      if (p === pool) restartWorker(err);
    });
    pool = p;
    p.ready.then((info) => { if (p === pool) engine = info.version; }, () => {});
  }

  // restartWorker ends the current workers, failing their requests with
  // reason, and starts fresh ones that hold no model yet.
  function restartWorker(reason) {
    pool.terminate(reason);
    for (const m of models) m.loaded = null;
    startWorker();
  }

  // workerStarted waits until the current workers have started, following
  // restarts that happen meanwhile.
  async function workerStarted() {
    for (;;) {
      const p = pool;
      try {
        return await p.ready;
      } catch (e) {
        if (p === pool) throw e;
      }
    }
  }

  // call sends msg to worker 0 of the pool.
  function call(msg, transfer, onProgress) {
    return pool.call(0, msg, transfer, onProgress);
  }

  // ---- jobs -----------------------------------------------------------------
  // Work for the worker (loading a model file, translating) runs one job at
  // a time, in order, so that cancelling a job stops only that one. A job
  // is aborted by its AbortSignal or by cancelAll: a waiting job just leaves
  // the queue; a running one restarts the worker.
  let queueTail = Promise.resolve();
  const jobs = new Set(); // the AbortControllers of the jobs waiting or running

  function abortError() {
    return new DOMException('The translation was cancelled.', 'AbortError');
  }

  // exclusive runs fn(signal, started) when the jobs before it are over;
  // fn must check signal after each await that is not a worker request.
  function exclusive(signal, fn) {
    if (signal && signal.aborted) return Promise.reject(abortError());
    const ctl = new AbortController();
    if (signal) signal.addEventListener('abort', () => ctl.abort(), { once: true });
    const aborted = new Promise((_, rej) => ctl.signal.addEventListener('abort', () => rej(abortError()), { once: true }));
    aborted.catch(() => {});
    jobs.add(ctl);
    let finish;
    const done = new Promise((res) => { finish = res; });
    const before = queueTail;
    queueTail = before.then(() => done);
    return (async () => {
      let running = false;
      const stop = () => { if (running) restartWorker(abortError()); };
      try {
        await Promise.race([before, aborted]); // our turn, or aborted while waiting
        running = true;
        ctl.signal.addEventListener('abort', stop, { once: true });
        const work = fn(ctl.signal);
        work.catch(() => {}); // when aborted, its rejection is not ours to report
        return await Promise.race([work, aborted]);
      } finally {
        running = false;
        jobs.delete(ctl);
        finish();
      }
    })();
  }

  // cancelAll aborts every job, waiting or running.
  function cancelAll() {
    for (const ctl of Array.from(jobs)) ctl.abort();
  }

  // ---- models -------------------------------------------------------------
  const LIVE_SUFFIX = '-live';
  // Each entry: {name, directions, file?, url?, bytes?, sha256?, source, loaded: Promise|null}
  const models = [];
  const publicModels = []; // what window.cyclegan.models exposes

  // publish adds entry to the catalogue and, unless it is a live companion
  // (NAME-live beside NAME on the site: the smaller model live.js runs for
  // NAME), to the model list.
  function publish(entry) {
    models.push(entry);
    publicModels.push({ name: entry.name, directions: entry.directions.slice(), bytes: entry.bytes || 0, source: entry.source,
      liveFor: entry.liveFor || '' });
    if (entry.liveFor) return;
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

  // loadModel makes sure the current worker holds the model; the promise is
  // shared, and dropped when the worker is restarted.
  function loadModel(entry) {
    if (!entry.loaded) {
      const loading = (async () => {
        await workerStarted();
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
        const info = await pool.load({ type: 'load', id: entry.name, sha256: entry.sha256 || '', label: entry.label }, stream,
          (p) => showLoadProgress(entry, p.done, bytes));
        // A model from a link or a file tells its directions only now. (When
        // the model is loaded again after a restart they are the same, and
        // the chosen direction stays.)
        if (entry.directions.join() !== info.directions.join() && (entry.directions.length === 0 || entry.source !== 'site')) {
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
      entry.loaded = loading;
      loading.catch(() => { if (entry.loaded === loading) entry.loaded = null; });
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
    const valid = list.filter((m) => m && typeof m.name === 'string' && typeof m.file === 'string');
    const names = new Set(valid.map((m) => m.name));
    for (const m of valid) {
      const base = m.name.endsWith(LIVE_SUFFIX) ? m.name.slice(0, -LIVE_SUFFIX.length) : '';
      publish({ name: m.name, directions: Array.isArray(m.directions) ? m.directions.slice() : [], labels: m.labels || null,
        url: m.file, label: m.file, bytes: m.bytes || 0, sha256: m.sha256 || '', source: 'site', loaded: null,
        liveFor: base && names.has(base) ? base : '' });
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
      await exclusive(null, () => loadModel(entry));
    } catch (e) {
      if (e.name === 'AbortError') {
        if (!pageRun) setIdle('Cancelled.');
      } else {
        showError(e.message);
        if (!pageRun) setIdle();
      }
      return null;
    }
    publish(entry);
    ui.model.value = entry.name;
    updateDirections();
    ui.modelNote.textContent = `Model ${file.name} loaded from this device.`;
    ui.modelNote.hidden = false;
    if (current) {
      settingsChanged(); // translate the photo on show with the new model
    } else {
      setIdle('Model loaded. Choose a photo.');
    }
    return entry;
  }

  // ---- translation ----------------------------------------------------------
  // translateImageData is window.cyclegan.translate. started (for the page)
  // is called when the translation's turn comes, after any that ran before.
  function translateImageData(imageData, opts, started) {
    opts = opts || {};
    return exclusive(opts.signal, async (signal) => {
      if (started) started();
      await api.ready;
      signal.throwIfAborted();
      const entry = findModel(opts.model);
      if (!entry) throw new Error(`No model named "${opts.model}" (have: ${models.map((m) => m.name).join(', ') || 'none'})`);
      const info = await loadModel(entry);
      signal.throwIfAborted();
      const direction = opts.direction || info.directions[0];
      if (!info.directions.includes(direction)) {
        throw new Error(`The model ${entry.name} has no direction "${direction}" (it has: ${info.directions.join(', ')})`);
      }
      if (!(imageData && imageData.data && imageData.width > 0 && imageData.height > 0)) {
        throw new Error('translate needs an ImageData with a width and height');
      }
      const t0 = performance.now();
      const single = () => {
        const pixels = new Uint8ClampedArray(imageData.data); // a copy; the caller keeps theirs
        return call({ type: 'translate', id: entry.name, direction, width: imageData.width, height: imageData.height, buffer: pixels.buffer, source: opts.source, scale: opts.scale || 'model' },
          [pixels.buffer], opts.onProgress);
      };
      // The pool splits the forward pass across the workers when it is big
      // enough, at full resolution or at the model's scale (pool.js);
      // opts.single (the live mode's choice) keeps it on one worker.
      const res = opts.single ? await single()
        : await pool.translate(imageData, { id: entry.name, direction, onProgress: opts.onProgress, scale: opts.scale || 'model' }, single);
      const out = new ImageData(new Uint8ClampedArray(res.buffer), res.width, res.height);
      lastTiming = { workerMs: res.ms, totalMs: performance.now() - t0, workers: res.workers || 1 };
      return out;
    });
  }
  let lastTiming = null;

  // ---- photos -----------------------------------------------------------------
  // The page translates one photo at a time. A photo chosen while another is
  // translated waits; a later one replaces it (at most one waits).
  let current = null; // the photo on show: {name, imageData, note}
  let waiting = null; // the photo to translate next
  let pageRun = null; // the page's translation in progress: {controller}
  let runAgain = false; // the model or direction changed during pageRun

  async function isWeightFile(file) {
    if (file.size < WEIGHT_MAGIC.length) return false;
    const head = new Uint8Array(await file.slice(0, WEIGHT_MAGIC.length).arrayBuffer());
    return WEIGHT_MAGIC.every((b, i) => head[i] === b);
  }

  // imageKind names the image format a file's first bytes announce, or ''.
  async function imageKind(file) {
    const h = new Uint8Array(await file.slice(0, 12).arrayBuffer());
    const ascii = (from, to) => String.fromCharCode(...h.slice(from, to));
    if (h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff) return 'JPEG';
    if (h[0] === 0x89 && ascii(1, 4) === 'PNG') return 'PNG';
    if (ascii(0, 4) === 'GIF8') return 'GIF';
    if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'WebP';
    if (ascii(4, 12) === 'ftypavif' || ascii(4, 12) === 'ftypavis') return 'AVIF';
    return '';
  }

  async function handleFile(file) {
    if (!file) return;
    clearError();
    if (await isWeightFile(file)) {
      await addLocalModel(file);
      return;
    }
    const name = file.name || 'The file';
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch (e) {
      const kind = await imageKind(file);
      if (kind) {
        showError(`${name} is damaged or incomplete: it starts as a ${kind} image, but this browser cannot decode it. Was it fully downloaded or copied?`);
      } else {
        showError(`${name} is not an image this browser can read (nor a model file).`);
      }
      if (!pageRun) {
        clearPhoto();
        setIdle();
      }
      return;
    }
    const limit = clampInt(ui.maxSide.value, 64, 4096, 1024);
    const scale = Math.min(1, limit / Math.max(bitmap.width, bitmap.height));
    const w = Math.max(1, Math.round(bitmap.width * scale));
    const h = Math.max(1, Math.round(bitmap.height * scale));
    const note = scale < 1 ? `The photo is ${bitmap.width}×${bitmap.height}; it was scaled to ${w}×${h} (longest side ${limit} px, adjustable above).` : '';
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d');
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, 0, 0, w, h);
    const sourceWidth = bitmap.width, sourceHeight = bitmap.height;
    bitmap.close();
    // source: the photo's own size and the limit it was scaled to, so that the
    // worker refuses a photo too thin to translate with the command's message.
    const photo = { name: file.name || 'photo', imageData: ctx.getImageData(0, 0, w, h), note,
      source: { width: sourceWidth, height: sourceHeight, maxSide: limit } };
    if (pageRun) {
      waiting = photo; // replaces any photo already waiting
      ui.queueNote.textContent = `Next: ${photo.name}, when the current photo is done.`;
      ui.queueNote.hidden = false;
      return;
    }
    showPhoto(photo);
    await runCurrent();
  }

  // showPhoto puts photo on show, without a result yet.
  function showPhoto(photo) {
    current = photo;
    ui.original.width = photo.imageData.width;
    ui.original.height = photo.imageData.height;
    ui.original.getContext('2d').putImageData(photo.imageData, 0, 0);
    ui.sizeNote.textContent = photo.note;
    ui.sizeNote.hidden = !photo.note;
    clearResult();
  }

  // runCurrent translates the photo on show with the chosen model and
  // direction; then the photo that waited, if any.
  async function runCurrent() {
    if (!current || pageRun) return;
    const photo = current;
    const direction = ui.direction.value;
    const controller = new AbortController();
    pageRun = { controller };
    runAgain = false;
    clearError();
    ui.download.hidden = true;
    ui.result.classList.add('stale'); // an earlier result, if any, is out of date
    if (ui.result.width) ui.elapsed.textContent = '(translating again…)';
    ui.again.disabled = true;
    ui.cancel.hidden = false;
    document.body.dataset.state = 'working';
    ui.progressLabel.textContent = 'Translating…';
    let startedAt = performance.now();
    try {
      const out = await translateImageData(photo.imageData, {
        model: ui.model.value, direction, signal: controller.signal, source: photo.source, scale: ui.detail.value,
        onProgress: showTranslateProgress,
      }, () => { startedAt = performance.now(); });
      ui.result.width = out.width;
      ui.result.height = out.height;
      ui.result.getContext('2d').putImageData(out, 0, 0);
      ui.result.classList.remove('stale');
      const secs = (performance.now() - startedAt) / 1000;
      const shown = secs < 1 ? secs.toFixed(2) : secs.toFixed(1);
      ui.elapsed.textContent = `(${shown} s)`;
      setIdle(`Done in ${shown} s.`);
      await offerDownload(photo, direction);
      document.body.dataset.state = 'done';
    } catch (e) {
      if (e.name === 'AbortError') {
        if (!runAgain) {
          clearResult();
          setIdle('Cancelled. Choose a photo, or translate it again.');
          document.body.dataset.state = 'ready';
        }
      } else {
        clearResult();
        showError(e.message);
        setIdle();
        document.body.dataset.state = 'error';
      }
    } finally {
      pageRun = null;
      ui.cancel.hidden = true;
      ui.again.disabled = !current;
    }
    if (waiting) {
      const next = waiting;
      waiting = null;
      ui.queueNote.hidden = true;
      showPhoto(next);
      await runCurrent();
    } else if (runAgain) {
      await runCurrent();
    }
  }

  // settingsChanged translates the photo on show again with the model and
  // direction now chosen, so that no result stands under the wrong label.
  // A translation with the old ones is stopped.
  function settingsChanged() {
    if (!current) return;
    if (pageRun) {
      runAgain = true;
      pageRun.controller.abort();
      return;
    }
    runCurrent();
  }

  // cancelPage stops the page's translation and forgets the photo waiting.
  function cancelPage() {
    waiting = null;
    ui.queueNote.hidden = true;
    runAgain = false;
    if (pageRun) pageRun.controller.abort();
  }

  // clearResult removes the result and what belongs to it.
  function clearResult() {
    ui.result.width = 0;
    ui.result.height = 0;
    ui.result.classList.remove('stale');
    ui.elapsed.textContent = '';
    ui.download.hidden = true;
    ui.download.setAttribute('aria-disabled', 'true');
    if (downloadURL) {
      URL.revokeObjectURL(downloadURL);
      downloadURL = null;
    }
  }

  // clearPhoto removes the photo on show, its size note and its result.
  function clearPhoto() {
    current = null;
    ui.original.width = 0;
    ui.original.height = 0;
    ui.sizeNote.hidden = true;
    ui.again.disabled = true;
    clearResult();
  }

  let downloadURL = null;
  async function offerDownload(photo, direction) {
    const blob = await new Promise((res) => ui.result.toBlob(res, 'image/png'));
    if (!blob || current !== photo) return;
    if (downloadURL) URL.revokeObjectURL(downloadURL);
    downloadURL = URL.createObjectURL(blob);
    ui.download.href = downloadURL;
    const base = photo.name.replace(/\.[^.]*$/, '') || 'photo';
    ui.download.download = `${base}-${direction || 'translated'}.png`;
    ui.download.hidden = false;
    ui.download.removeAttribute('aria-disabled');
  }

  // ---- status ---------------------------------------------------------------
  function showProgress(done, total, text) {
    ui.progress.max = total > 0 ? total : 1;
    if (total > 0) ui.progress.value = Math.min(done, total); else ui.progress.removeAttribute('value');
    ui.progressLabel.textContent = text;
  }
  function showLoadProgress(entry, done, bytes) {
    const detail = bytes ? `${percent(done, bytes)} (${formatBytes(done)} of ${formatBytes(bytes)})` : formatBytes(done);
    showProgress(done, bytes, `Loading model ${entry.name}: ${detail}`);
  }
  // showTranslateProgress tells how far a translation is: p.done of p.total
  // steps after p.ms milliseconds. Once a second has passed, the time left
  // is estimated from the pace so far (a rough guide: steps differ in cost).
  function showTranslateProgress(p) {
    let text = `Translating: ${percent(p.done, p.total)}`;
    if (p.done >= 2 && p.done < p.total && p.ms >= 1000) {
      text += `, about ${formatSeconds((p.ms / p.done) * (p.total - p.done) / 1000)} left`;
    }
    showProgress(p.done, p.total, text);
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
  function percent(done, total) {
    return `${Math.floor((100 * done) / total)}%`;
  }
  function formatSeconds(s) {
    if (s < 60) return `${Math.max(1, Math.round(s))} s`;
    return `${Math.round(s / 60)} min`;
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
  ui.model.addEventListener('change', () => { updateDirections(); settingsChanged(); });
  ui.direction.addEventListener('change', settingsChanged);
  ui.detail.addEventListener('change', settingsChanged);
  ui.again.addEventListener('click', runCurrent);
  ui.cancel.addEventListener('click', () => {
    cancelPage();
    ui.drop.focus(); // the button hides; keep the keyboard focus near the photo controls
  });
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
    // translate(imageData, {model, direction, scale, single, onProgress, signal}):
    // scale 'model' (default) or 'full' (docs/BROWSER.md); single: on one
    // worker (the live mode's choice when that is faster); aborting
    // signal (or calling cancel) rejects the promise with an AbortError.
    translate: (imageData, opts) => translateImageData(imageData, opts),
    // cancel stops every translation, running or waiting, the page's too.
    cancel: () => { cancelPage(); cancelAll(); },
    loadModelFile: (file) => addLocalModel(file).then((e) => {
      if (!e) throw ui.error.hidden ? abortError() : new Error(ui.error.textContent);
      return e.name;
    }),
    get lastTiming() { return lastTiming; },
    get version() { return engine; }, // Go version and GEMM kernel of the worker
    // workers: how many workers the page runs (?workers=N; default one a
    // core, at most 8). Setting it restarts the workers when no translation
    // runs (waiting for the one that does).
    get workers() { return wantWorkers; },
    set workers(n) {
      const v = Math.round(Number(n));
      if (!Number.isFinite(v) || v < 1 || v > 16) throw new RangeError(`workers must be 1 to 16, not ${n}`);
      if (v === wantWorkers) return;
      wantWorkers = v;
      exclusive(null, async () => restartWorker(new Error('The workers were restarted.'))).catch(() => {});
    },
    // memory(): a Promise of the WebAssembly memory of each worker, in bytes
    // (its peak so far: it never shrinks).
    memory: () => workerStarted().then(() => pool.memory()),
    // workerObjects: the pool's Worker objects, for tests that end one.
    get workerObjects() { return pool.lanes.map((l) => l.worker); },
  };
  startWorker();
  api.ready = (async () => {
    await loadSiteModels();
    addModelFromParam();
    ui.model.value = (models[0] && models[0].name) || '';
    updateDirections();
    await workerStarted();
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
