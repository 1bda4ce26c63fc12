// Graph explorer benchmark: time from picking a model in the browser app to
// its fully drawn graph (fetch + layout in the worker + first frame), for
// resnet18, bert and a generated 5,000-node graph; frame times while panning
// the big graph; and the size of the built bundle.
//   node bench/webui_graph.js [--rounds 5] [--nodes 5000]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { execFileSync } = require('node:child_process');
const { parseArgs } = require('node:util');
const { startDaemon, benchModels, RpcClient, repo } = require('../tests/e2e/daemon/daemon.js');
const { launch, watchConsole } = require('../tests/e2e/webui/browser.js');

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, nodes: { type: 'string', default: '5000' } } });
const rounds = Number(args.rounds);

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
};
const fmt = (x) => x.toFixed(1);

function bundleSize() {
  const dist = path.join(repo, 'webui', 'dist');
  let total = 0, totalGz = 0;
  const files = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const data = fs.readFileSync(p);
        const gz = zlib.gzipSync(data).length;
        total += data.length;
        totalGz += gz;
        files.push({ name: path.relative(dist, p), bytes: data.length, gz });
      }
    }
  };
  walk(dist);
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const initial = files.filter((f) => html.includes(f.name) || f.name === 'index.html');
  const sum = (fs_, k) => fs_.reduce((a, f) => a + f[k], 0);
  return { total, totalGz, initial: sum(initial, 'bytes'), initialGz: sum(initial, 'gz'), files };
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'openopt-webui-bench-'));
  const big = path.join(tmp, `big${args.nodes}.onnx`);
  execFileSync('/usr/bin/python3', [path.join(__dirname, 'gen_big_graph.py'), big, args.nodes]);
  const daemon = await startDaemon({ dataDir: tmp });
  const browser = await launch();
  try {
    // Import through the API (not measured), then pick each in the page.
    const client = await RpcClient.connect(daemon.ws, daemon.token);
    const models = {};
    for (const [label, file] of [['resnet18', path.join(benchModels, 'resnet18w48.onnx')], ['bert', path.join(benchModels, 'bert2l_tied.onnx')], [`generated ${args.nodes}`, big]]) {
      const done = await client.job('model/import', { name: path.basename(file), data: fs.readFileSync(file).toString('base64') }, 600_000);
      if (done.done.state !== 'done') throw new Error(`import of ${file}: ${JSON.stringify(done.done.error)}`);
      models[label] = done.started.model;
    }
    client.close?.();
    const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
    const watch = watchConsole(page);
    await page.goto(`${daemon.http}/?token=${daemon.token}`);
    await page.waitForSelector('body[data-ready=true]');
    console.log(`graph explorer: model picked -> graph fully drawn (${rounds} rounds, headless chromium, ${os.cpus().length} cores)`);
    console.log('| graph | nodes | median ms | min | max | layout ms (median) | goal |');
    console.log('|---|---:|---:|---:|---:|---:|---|');
    for (const [label, id] of Object.entries(models)) {
      const times = [], layouts = [];
      let nodes = 0;
      for (let r = 0; r < rounds; r++) {
        // Pick another model first so every round starts from a different graph.
        const other = Object.values(models).find((m) => m !== id);
        const pickAndTime = async (m) => {
          const app = window.openopt;
          app.selectTiming = null;
          app.models.select(m);
          while (!app.selectTiming) await new Promise((r) => setTimeout(r, 5));
          return { ms: app.selectTiming.drawn - app.selectTiming.picked, nodes: app.selectTiming.nodes, layout: app.graph.lastTiming.layoutMs };
        };
        await page.evaluate(`(${pickAndTime})(${JSON.stringify(other)})`);
        const t = await page.evaluate(`(${pickAndTime})(${JSON.stringify(id)})`);
        times.push(t.ms);
        layouts.push(t.layout);
        nodes = t.nodes;
      }
      const goal = nodes > 1000 ? 5000 : 1000;
      console.log(`| ${label} | ${nodes} | ${fmt(quantile(times, 0.5))} | ${fmt(Math.min(...times))} | ${fmt(Math.max(...times))} | ${fmt(quantile(layouts, 0.5))} | < ${goal} ms: ${quantile(times, 0.5) < goal ? 'met' : 'MISSED'} |`);
    }

    // Panning the big graph at a readable zoom (labels drawn): frame times.
    const bigId = models[`generated ${args.nodes}`];
    await page.evaluate(async (m) => {
      const app = window.openopt;
      app.selectTiming = null;
      app.models.select(m);
      while (!app.selectTiming) await new Promise((r) => setTimeout(r, 5));
    }, models[Object.keys(models)[0]]);
    await page.evaluate(async (m) => {
      const app = window.openopt;
      app.selectTiming = null;
      app.models.select(m);
      while (!app.selectTiming) await new Promise((r) => setTimeout(r, 5));
    }, bigId);
    const box = await page.evaluate(() => {
      const c = window.openopt.graph.canvas;
      // Scale 1 (labels drawn), centred on the middle of the graph.
      const g = window.openopt.graph.document;
      const n = c.nodeBox(g.nodes[Math.floor(g.nodes.length / 2)].id);
      const r0 = c.canvas.getBoundingClientRect();
      c.setViewport({ scale: 1, x: r0.width / 2 - (n.x + n.w / 2), y: r0.height / 2 - (n.y + n.h / 2) });
      c.frameTimes.length = 0;
      const r = c.canvas.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    });
    const intervals = await page.evaluate(() => {
      window.__frames = [];
      const tick = (t) => { window.__frames.push(t); if (window.__frames.length < 100000) window.__raf = requestAnimationFrame(tick); };
      window.__raf = requestAnimationFrame(tick);
      return true;
    });
    void intervals;
    await page.mouse.move(box.x, box.y);
    await page.mouse.down();
    for (let i = 0; i < 240; i++) await page.mouse.move(box.x + 150 * Math.sin(i / 20), box.y - 150 * Math.sin(i / 13), { steps: 1 });
    await page.mouse.up();
    const pan = await page.evaluate(() => {
      cancelAnimationFrame(window.__raf);
      const f = window.__frames;
      const gaps = f.slice(1).map((t, i) => t - f[i]);
      return { draw: [...window.openopt.graph.canvas.frameTimes], gaps, drawn: window.openopt.graph.canvas.lastDrawn };
    });
    console.log(`\npanning the ${args.nodes}-node graph at zoom 1 (${pan.draw.length} frames drawn; last frame drew ${pan.drawn.nodes} nodes, ${pan.drawn.edges} edges):`);
    console.log(`  draw time per frame: median ${fmt(quantile(pan.draw, 0.5))} ms, p95 ${fmt(quantile(pan.draw, 0.95))} ms, max ${fmt(Math.max(...pan.draw))} ms`);
    console.log(`  frame interval: median ${fmt(quantile(pan.gaps, 0.5))} ms, p95 ${fmt(quantile(pan.gaps, 0.95))} ms (60 Hz = 16.7 ms)`);
    const zoomedOut = await page.evaluate(async () => {
      const c = window.openopt.graph.canvas;
      c.fit();
      c.frameTimes.length = 0;
      for (let i = 0; i < 30; i++) {
        c.panBy(3, 0);
        await new Promise((r) => requestAnimationFrame(() => r()));
        await new Promise((r) => requestAnimationFrame(() => r()));
      }
      return { draw: [...c.frameTimes], drawn: c.lastDrawn };
    });
    console.log(`  whole graph in view (fit; ${zoomedOut.drawn.nodes} nodes drawn): draw median ${fmt(quantile(zoomedOut.draw, 0.5))} ms, p95 ${fmt(quantile(zoomedOut.draw, 0.95))} ms`);

    const b = bundleSize();
    const kb = (x) => `${(x / 1024).toFixed(0)} KiB`;
    console.log(`\nbundle (webui/dist): ${kb(b.total)} in ${b.files.length} files (${kb(b.totalGz)} gzip); loaded at start: ${kb(b.initial)} (${kb(b.initialGz)} gzip); the editor (Monaco) loads on first use`);
    for (const f of b.files.sort((x, y) => y.bytes - x.bytes).slice(0, 6)) console.log(`  ${f.name}: ${kb(f.bytes)} (${kb(f.gz)} gzip)`);
    if (watch.errors.length) console.log(`console errors: ${watch.errors.join('; ')}`);
  } finally {
    await browser.close();
    await daemon.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
