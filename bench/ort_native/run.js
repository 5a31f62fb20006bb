#!/usr/bin/env node
// ONNX Runtime's native CPU runner (npm onnxruntime-node) as a peer of `make bench`:
// times the ONNX exports of bench/ort_native/prepare.sh on a fixed 1×3×256×256 input and
// prints one JSON object per line, as bench/pytorch_peer.py does.
//
//   node bench/ort_native/run.js [--cache DIR] [--models ngf64_b9,ngf32_b9,ngf16_b6]
//        [--threads 1,2] [--reps 5] [--warmup 2] [--ref DIR] [--tol 1e-3]
//   node bench/ort_native/run.js --write-input      (prepare.sh: writes CACHE/input-256.f32)
//
// Each model and thread count gets its own InferenceSession: CPU execution provider,
// intraOpNumThreads = threads, interOpNumThreads 1, graphOptimizationLevel "all",
// executionMode "sequential" (ORT's defaults otherwise: memory arena on, spinning pool).
// Reported: the median and minimum of --reps timed session.run calls (input tensor
// built once; the time includes ORT's copy of the output into a JS Float32Array) after
// --warmup untimed ones, and session_ms, the session creation (graph optimisation, weight
// pre-packing).
//
// --ref DIR: before timing, compare ORT's output on the fixed input with DIR/NAME.out.f32
// (ours, from `go run ./bench/ort_native/goforward -out DIR`, on the same weights imported
// as .cgw) and print a "check" line; any max |Δ| above --tol exits 1 without timing, so a
// figure is only printed for the network ours runs.
//
// CACHE is --cache, else $ORT_NATIVE_CACHE, else .cache/ort-native in the repository root.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const SIZE = 256;
const INPUT = `input-${SIZE}.f32`;

function parseArgs(argv) {
  const a = {
    cache: process.env.ORT_NATIVE_CACHE || path.join(__dirname, '..', '..', '.cache', 'ort-native'),
    models: '',
    threads: '',
    reps: 5,
    warmup: 2,
    ref: '',
    tol: 1e-3,
    writeInput: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${k} needs a value`);
      return argv[++i];
    };
    switch (k) {
      case '--cache': a.cache = v(); break;
      case '--models': a.models = v(); break;
      case '--threads': a.threads = v(); break;
      case '--reps': a.reps = parseInt(v(), 10); break;
      case '--warmup': a.warmup = parseInt(v(), 10); break;
      case '--ref': a.ref = v(); break;
      case '--tol': a.tol = parseFloat(v()); break;
      case '--write-input': a.writeInput = true; break;
      case '-h': case '--help':
        process.stdout.write(fs.readFileSync(__filename, 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n') + '\n');
        process.exit(0);
      default: throw new Error(`unknown argument ${k} (--help)`);
    }
  }
  if (!(a.reps >= 1) || !(a.warmup >= 0)) throw new Error('--reps must be >= 1 and --warmup >= 0');
  return a;
}

// The fixed input: mulberry32(1), uniform in [-1, 1), written little-endian so that the Go
// side (goforward) reads the same values.
function makeInput() {
  let s = 1 >>> 0;
  const n = 3 * SIZE * SIZE;
  const buf = Buffer.alloc(4 * n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    buf.writeFloatLE(u * 2 - 1, 4 * i);
  }
  return buf;
}

function readF32(file) {
  const b = fs.readFileSync(file);
  const out = new Float32Array(b.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = b.readFloatLE(4 * i);
  return out;
}

function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function main() {
  const a = parseArgs(process.argv.slice(2));
  if (a.writeInput) {
    fs.writeFileSync(path.join(a.cache, INPUT), makeInput());
    console.log(`wrote ${path.join(a.cache, INPUT)}`);
    return;
  }
  const ort = require(path.join(path.resolve(a.cache), 'node_modules', 'onnxruntime-node'));
  const version = require(path.join(path.resolve(a.cache), 'node_modules', 'onnxruntime-node', 'package.json')).version;
  const engine = `onnxruntime-node ${version}`;
  const meta = JSON.parse(fs.readFileSync(path.join(a.cache, 'torch', 'models.json'), 'utf8'));
  const byName = new Map(meta.models.map((m) => [m.name, m]));
  // Largest first, as `go test -bench GeneratorForward` runs them.
  const names = a.models ? a.models.split(',') : ['ngf64_b9', 'ngf32_b9', 'ngf16_b6'].filter((n) => byName.has(n));
  const cores = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  const threads = (a.threads || (cores > 1 ? `1,${cores}` : '1')).split(',').map((t) => parseInt(t, 10));

  const cpu = (os.cpus()[0] || {}).model || 'unknown';
  console.log(JSON.stringify({ bench: 'machine', engine, node: process.version, cpu, cores, torch_export: meta.torch, opset: meta.opset, loadavg: os.loadavg().map((x) => round(x)) }));

  const x = readF32(path.join(a.cache, INPUT));
  if (x.length !== 3 * SIZE * SIZE) throw new Error(`${INPUT}: ${x.length} values, want ${3 * SIZE * SIZE}`);
  const feeds = { input: new ort.Tensor('float32', x, [1, 3, SIZE, SIZE]) };

  for (const name of names) {
    const m = byName.get(name);
    if (!m) throw new Error(`no model ${name} in ${path.join(a.cache, 'torch', 'models.json')}`);
    const file = path.join(a.cache, 'torch', m.onnx);
    for (const [ti, th] of threads.entries()) {
      const t0 = performance.now();
      const session = await ort.InferenceSession.create(file, {
        executionProviders: ['cpu'],
        intraOpNumThreads: th,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
      });
      const sessionMs = performance.now() - t0;
      let y = (await session.run(feeds))[session.outputNames[0]];
      if (a.ref && ti === 0) {
        const ref = readF32(path.join(a.ref, `${name}.out.f32`));
        if (ref.length !== y.data.length) throw new Error(`${name}: ours has ${ref.length} outputs, ORT ${y.data.length}`);
        let maxAbs = 0, sumAbs = 0;
        for (let i = 0; i < ref.length; i++) {
          const d = Math.abs(ref[i] - y.data[i]);
          if (!(d <= maxAbs)) maxAbs = d; // NaN propagates
          sumAbs += d;
        }
        const ok = maxAbs <= a.tol;
        console.log(JSON.stringify({ bench: 'check', engine, model: name, against: 'ours', dims: y.dims, max_abs_diff: maxAbs, mean_abs_diff: sumAbs / ref.length, tol: a.tol, ok }));
        if (!ok) {
          console.error(`run.js: ${name}: ONNX Runtime's output differs from ours by up to ${maxAbs} (> ${a.tol}): not the same network, not timed`);
          process.exit(1);
        }
      }
      for (let i = 1; i < a.warmup; i++) await session.run(feeds); // the first run above was a warm-up too
      const ts = [];
      for (let i = 0; i < a.reps; i++) {
        const s = performance.now();
        y = (await session.run(feeds))[session.outputNames[0]];
        ts.push(performance.now() - s);
      }
      await session.release();
      console.log(JSON.stringify({
        bench: 'generator_forward', engine, model: name, ngf: m.ngf, n_blocks: m.blocks, size: SIZE, threads: th,
        inter_op_threads: 1, graph_optimization: 'all', execution_mode: 'sequential',
        median_ms: round(median(ts)), min_ms: round(Math.min(...ts)), reps: a.reps, warmup: Math.max(a.warmup, 1), session_ms: round(sessionMs, 1),
      }));
    }
  }
}

main().catch((e) => {
  console.error('run.js:', e && e.stack ? e.stack : e);
  process.exit(1);
});
