import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { Counter, Gauge, Registry } from 'prom-client';
import { startOpsServer, type OpsServer } from '../../../src/index.ts';

/** Debian's chromium (apt-get install chromium; .ci/run installs it); never a downloaded build. */
const CHROMIUM = '/usr/bin/chromium';
/** The charts' line colour in status-page.html. */
const LINE_RGB = [0x09, 0x69, 0xda];

let browser: Browser;
let server: OpsServer;
let ticker: NodeJS.Timeout;
let ready = true;

beforeAll(async () => {
  const registry = new Registry();
  const events = new Counter({ name: 'events_total', help: 'h', registers: [registry] });
  const lag = new Gauge({ name: 'lag_bytes', help: 'h', registers: [registry] });
  // A steady flow with a growing lag, so both charts have a line.
  let tick = 0;
  ticker = setInterval(() => {
    events.inc(50 + (tick % 5) * 10);
    lag.set(1024 * 1024 * (1 + tick++));
  }, 50);
  server = await startOpsServer({
    port: 0,
    host: '127.0.0.1',
    registry,
    health: () => ({ ok: true }),
    ready: () => ({ ok: ready, details: { slot: ready ? 'streaming' : 'lost' } }),
    status: {
      service: 'cdc-reader',
      sampleIntervalMs: 200,
      figures: [
        {
          label: 'Changes published',
          metric: 'events_total',
          kind: 'rate',
          unit: 'per_second',
          chart: true,
        },
        {
          label: 'Replication lag',
          metric: 'lag_bytes',
          kind: 'gauge',
          unit: 'bytes',
          chart: true,
        },
      ],
    },
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

afterAll(async () => {
  clearInterval(ticker);
  await browser?.close();
  await server?.close();
});

/** Pixels of the chart line's colour in a PNG, counted by the browser itself (no image library). */
async function linePixels(png: Buffer): Promise<number> {
  const page = await browser.newPage();
  try {
    // Browser-side code as text: this package's TypeScript has no DOM types.
    return (await page.evaluate(`(async () => {
      const image = new Image();
      image.src = 'data:image/png;base64,${png.toString('base64')}';
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d');
      context.drawImage(image, 0, 0);
      const pixels = context.getImageData(0, 0, image.width, image.height).data;
      const rgb = ${JSON.stringify(LINE_RGB)};
      let count = 0;
      for (let i = 0; i < pixels.length; i += 4)
        if ([0, 1, 2].every((c) => Math.abs(pixels[i + c] - rgb[c]) < 40)) count++;
      return count;
    })()`)) as number;
  } finally {
    await page.close();
  }
}

describe("the status page (the ops server's /)", () => {
  it('renders the figures, and charts with data that refresh live', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    await page.goto(`http://127.0.0.1:${server.port}/`);
    await page.waitForFunction(
      `[...document.querySelectorAll('figure.chart')].length === 2 &&
       [...document.querySelectorAll('figure.chart')].every((chart) => Number(chart.dataset.points) >= 3)`,
      undefined,
      { timeout: 20_000 },
    );
    expect(await page.textContent('#service')).toBe('Freshen cdc-reader');
    expect(await page.textContent('#ready')).toBe('ready');
    expect(await page.textContent('td[data-figure="Changes published"]')).toMatch(
      /^\d+(\.\d)? \/s$/,
    );
    expect(await page.textContent('td[data-figure="Replication lag"]')).toMatch(/MiB$/);

    const screenshot = await page.screenshot({ fullPage: true });
    const out = path.resolve(__dirname, '../../../../../.jest');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'status-page.png'), screenshot);
    // The charts are drawn: their container's screenshot holds a line of the chart colour for
    // each chart. (Not each chart's own: the page redraws them every 2 s, and a chart element
    // replaced mid-screenshot made the test fail under load.)
    const charts = await page.locator('figure.chart').count();
    expect(charts).toBeGreaterThan(0);
    expect(await linePixels(await page.locator('#charts').screenshot())).toBeGreaterThan(
      50 * charts,
    );
    expect(await linePixels(screenshot)).toBeGreaterThan(100);

    // Live: the page follows readiness without a reload.
    ready = false;
    await page.waitForFunction(
      `document.querySelector('#ready')?.textContent === 'not ready'`,
      undefined,
      { timeout: 10_000 },
    );
    expect(await page.textContent('#details')).toContain('lost');
    ready = true;
    await page.close();
  });

  it('a chart with no data draws no line (the pixel check can fail)', async () => {
    const page = await browser.newPage();
    await page.setContent(
      '<svg width="200" height="100"><line x1="0" y1="90" x2="200" y2="90" stroke="#d0d7de"/></svg>',
    );
    expect(await linePixels(await page.locator('svg').screenshot())).toBe(0);
    await page.close();
  });
});
