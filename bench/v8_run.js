// v8_run.js — driver for the V8 variant: `node --no-liftoff v8_run.js KERNEL.wasm N [WARM]`
// compiles and instantiates the module through the WebAssembly API (not timed; with
// --no-liftoff V8 compiles everything with TurboFan up front, so no background tier-up
// runs during the timed call), runs `run` once with WARM untimed and once with N, and
// prints "<checksum> <wall s> <CPU s>" for the timed call. Dynamic import() keeps this
// valid both as a CommonJS script and as an ES module.
'use strict';

async function main() {
  const fs = await import('node:fs');
  const [file, nArg, warmArg] = process.argv.slice(2);
  if (!file || !nArg) {
    console.error('usage: node v8_run.js KERNEL.wasm N [WARM]');
    process.exitCode = 2;
    return;
  }
  const module = new WebAssembly.Module(fs.readFileSync(file));
  const { run } = new WebAssembly.Instance(module, {}).exports;
  const warm = Number(warmArg || 0);
  if (warm > 0) run(warm);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const v = run(Number(nArg));
  const t1 = process.hrtime.bigint();
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  console.log(`${BigInt.asIntN(64, v)} ${(Number(t1 - t0) / 1e9).toFixed(6)} ${cpu.toFixed(6)}`);
}

main();
