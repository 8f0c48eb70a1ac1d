/**
 * Builds the web client into web/dist, which the gateway serves at /.
 * `npm run dev:web` serves it with hot reload and passes /api and /health on
 * to a running gateway (GATEWAY_URL, default http://127.0.0.1:4000).
 */
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: gateway, changeOrigin: false },
      '/health': { target: gateway, changeOrigin: false },
    },
  },
});
