import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Builds the dashboard into packages/dashboard/dist, which `tether serve` serves at `/` (SPA fallback for deep links).
 * `npm run dev -w @tether/dashboard` proxies the API to TETHER_URL (default http://127.0.0.1:9000) for development.
 */
const target = process.env.TETHER_URL ?? 'http://127.0.0.1:9000';
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 800 },
  server: {
    proxy: {
      '/api': target,
      '/health': target,
      '/openapi.json': target,
      '/ws': { target: target.replace(/^http/, 'ws'), ws: true },
    },
  },
});
