// Shared set-up of the browser tests: Debian's chromium driven by
// playwright-core, console errors collected, screenshots as artefacts.
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

function artefactDir() {
  const dir = process.env.OPENOPT_ARTEFACTS || path.join(process.env.OPENOPT_BUILD_DIR || path.join(__dirname, '../../../build'), 'test-artefacts', 'webui');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

async function launch() {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--use-gl=swiftshader'] });
}

/**
 * Console errors and page errors of a page. While `expectRefused` is on (the
 * daemon is down on purpose), only the browser's own reports of refused
 * connections to the daemon are let through; anything else still counts.
 */
function watchConsole(page) {
  const errors = [];
  const state = { expectRefused: false, tolerated: 0 };
  const refused = /(WebSocket connection to 'wss?:\/\/127\.0\.0\.1:\d+\/(api|lsp)\?token=[^']*' failed)|net::ERR_CONNECTION_REFUSED/;
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (state.expectRefused && refused.test(message.text())) {
      state.tolerated++;
      return;
    }
    errors.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}\n${(error.stack || '').split('\n').slice(1, 6).join('\n')}`));
  return { errors, state };
}

module.exports = { launch, watchConsole, artefactDir };
