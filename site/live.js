// live.js: the live camera mode. "Live camera" runs the camera
// (getUserMedia) and translates its frames one after another with the model
// and direction chosen on the page, showing each frame beside its
// translation with a frames/s readout. The frame size is measured at start:
// the largest that keeps TARGET_FPS, not under MIN_SIDE pixels on its long
// side (or the side given to start); frames run on one worker or split
// across the workers, whichever was faster then, at the scale the Detail
// option chooses (the model's scale by default). It stops when the page is hidden or on Stop. Frames stay
// on this device: they go to the workers and the canvases, nowhere else.
'use strict';

(function () {
  const TARGET_FPS = 10;
  const MIN_SIDE = 128;
  const MAX_SIDE = 1024;
  const $ = (id) => document.getElementById(id);
  const ui = {
    start: $('live'), view: $('live-view'), stop: $('live-stop'), status: $('live-status'),
    camera: $('live-camera'), result: $('live-result'), model: $('model'), direction: $('direction'),
    detail: $('detail'),
  };
  // stats is window.cyclegan.live.stats: whether it runs, the frames
  // translated, frames/s over the last second, the frame size, how many
  // workers a frame uses and the model that translates them.
  const stats = { running: false, frames: 0, fps: 0, width: 0, height: 0, workers: 0, model: '' };
  let run = null; // {stream, video, stopped, single, side, times}
  const streams = []; // every camera stream opened, for tracks()

  // frameSize is the camera frame scaled so that its long side is side
  // (never enlarged).
  function frameSize(video, side) {
    const s = Math.min(1, side / Math.max(video.videoWidth, video.videoHeight));
    return [Math.max(8, Math.round(video.videoWidth * s)), Math.max(8, Math.round(video.videoHeight * s))];
  }

  // grab draws the camera's current frame, w×h, on the camera canvas and
  // returns its pixels.
  function grab(video, w, h) {
    if (ui.camera.width !== w || ui.camera.height !== h) {
      ui.camera.width = w;
      ui.camera.height = h;
    }
    const ctx = ui.camera.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, w, h);
    return ctx.getImageData(0, 0, w, h);
  }

  // liveModel is the model the frames go through: the chosen one, or its
  // live companion NAME-live when the site has one (a smaller model for
  // the camera, app.js).
  function liveModel() {
    const companion = window.cyclegan.models.find((m) => m.liveFor && m.liveFor === ui.model.value);
    return companion ? companion.name : ui.model.value;
  }

  function translate(img, single) {
    return window.cyclegan.translate(img, { model: stats.model, direction: ui.direction.value, scale: ui.detail.value, single });
  }

  // timeFrame is the time of one translation of a frame at side, in ms.
  async function timeFrame(r, side, single) {
    const [w, h] = frameSize(r.video, side);
    const t0 = performance.now();
    await translate(grab(r.video, w, h), single);
    return performance.now() - t0;
  }

  // calibrate finds the frame size and the worker setting: from a timing
  // at MIN_SIDE it predicts the side that takes 1/TARGET_FPS (time grows
  // with the pixels), then measures there and shrinks until it fits.
  async function calibrate(r) {
    const budget = 1000 / TARGET_FPS;
    const pooled = window.cyclegan.workers > 1;
    if (r.fixedSide) { // the side was given: only choose the workers
      await timeFrame(r, r.fixedSide, true); // warm-up
      if (pooled) await timeFrame(r, r.fixedSide, false);
      r.side = r.fixedSide;
      r.single = !pooled || (await timeFrame(r, r.side, true)) <= (await timeFrame(r, r.side, false));
      return;
    }
    const best = async (side) => {
      let ms = await timeFrame(r, side, true);
      let single = true;
      if (pooled) {
        const msPool = await timeFrame(r, side, false);
        if (msPool < ms) [ms, single] = [msPool, false];
      }
      return { ms, single };
    };
    await timeFrame(r, MIN_SIDE, true); // warm-up
    if (pooled) await timeFrame(r, MIN_SIDE, false);
    const longSide = Math.min(MAX_SIDE, Math.max(r.video.videoWidth, r.video.videoHeight));
    let side = MIN_SIDE;
    let m = await best(side);
    for (let tries = 0; tries < 3 && !r.stopped; tries++) {
      const next = Math.max(MIN_SIDE, Math.min(longSide, Math.floor(side * Math.sqrt(budget / m.ms) * 0.95 / 16) * 16));
      if (next === side) break;
      const mNext = await best(next);
      if (next > side && mNext.ms > budget) break; // the larger size does not keep the rate: stay
      [side, m] = [next, mNext];
      if (m.ms <= budget) break;
    }
    r.side = side;
    r.single = m.single;
  }

  // start starts the live mode; opts.side (optional) fixes the frame's long
  // side in pixels instead of measuring it.
  async function start(opts) {
    if (run) return;
    const side = opts && opts.side;
    const r = { stopped: false, times: [], fixedSide: side > 0 ? Math.max(8, Math.min(MAX_SIDE, Math.round(side))) : 0 };
    run = r;
    Object.assign(stats, { running: false, frames: 0, fps: 0, width: 0, height: 0, workers: 0, model: liveModel() });
    ui.view.hidden = false;
    ui.start.disabled = true;
    ui.status.textContent = 'Starting the camera…';
    try {
      await window.cyclegan.ready;
      r.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      streams.push(r.stream);
      if (r.stopped) { // stopped while the camera started
        for (const t of r.stream.getTracks()) t.stop();
        return;
      }
      r.video = document.createElement('video');
      r.video.muted = true;
      r.video.playsInline = true;
      r.video.srcObject = r.stream;
      await r.video.play();
      if (r.stopped) return;
      ui.status.textContent = 'Measuring the frame size this device keeps at 10 frames/s…';
      await calibrate(r);
      if (r.stopped) return;
      stats.running = true;
      await loop(r);
    } catch (e) {
      if (r.stopped) return;
      stop();
      ui.view.hidden = false;
      ui.status.textContent = e.name === 'NotAllowedError' ? 'The camera was not allowed.'
        : e.name === 'NotFoundError' ? 'No camera was found.' : 'Live camera stopped: ' + e.message;
    }
  }

  async function loop(r) {
    const [w, h] = frameSize(r.video, r.side);
    [stats.width, stats.height] = [w, h];
    ui.result.width = w;
    ui.result.height = h;
    const ctx = ui.result.getContext('2d');
    while (!r.stopped) {
      const out = await translate(grab(r.video, w, h), r.single);
      if (r.stopped) break;
      ctx.putImageData(out, 0, 0);
      stats.frames++;
      stats.workers = window.cyclegan.lastTiming.workers;
      const now = performance.now();
      r.times.push(now);
      while (r.times[0] < now - 1000) r.times.shift();
      stats.fps = r.times.length;
      ui.status.textContent = `${stats.fps} frames/s at ${w}×${h}` +
        (stats.workers > 1 ? ` on ${stats.workers} workers` : ' on one worker') +
        (stats.model !== ui.model.value ? ` with ${stats.model}, the smaller model made for the live camera` : '');
    }
  }

  // stop stops the camera and the frames; a frame being translated is
  // dropped when it is done.
  function stop() {
    if (!run) return;
    run.stopped = true;
    if (run.stream) for (const t of run.stream.getTracks()) t.stop();
    if (run.video) run.video.srcObject = null;
    run = null;
    stats.running = false;
    ui.start.disabled = false;
    ui.status.textContent = `Stopped after ${stats.frames} frames.`;
  }

  ui.start.hidden = !(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  ui.start.addEventListener('click', () => start());
  ui.stop.addEventListener('click', stop);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') stop();
  });
  // tracks: how many camera tracks the live mode holds open (0 once stopped).
  const tracks = () => streams.flatMap((st) => st.getTracks()).filter((t) => t.readyState === 'live').length;
  window.cyclegan.live = { start, stop, stats, tracks };
})();
