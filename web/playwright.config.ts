import { defineConfig } from '@playwright/test'

// Driven by tests/web-e2e, which starts the real server (SQLite, then PostgreSQL + Redis) with
// the demo counties and sets SHUANGLIAN_E2E_URL. Chromium is Debian's (/usr/bin/chromium): no
// browser download, as the county intranet and CI have none.
export default defineConfig({
  testDir: './e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: process.env.SHUANGLIAN_E2E_URL ?? 'http://127.0.0.1:8080',
    viewport: { width: 1366, height: 768 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
})
