import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// Element Plus components and their CSS are imported where used, so each screen's chunk carries
// only what it renders and the first load stays small (the 250 KB gzip budget).
export default defineConfig({
  plugins: [
    vue(),
    Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false }),
  ],
  base: '/',
  build: {
    target: 'chrome100',
    // Modern Chromium (360/QQ/Edge/Chrome on county PCs) has modulepreload: no inline polyfill,
    // which the Content-Security-Policy (script-src 'self') would refuse anyway.
    modulePreload: { polyfill: false },
    assetsDir: 'assets',
    chunkSizeWarningLimit: 600,
    reportCompressedSize: false,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts'],
  },
} as any)
