/**
 * The agent inbox's build: `npm run build:web` (or `build({ configFile })` from the e2e test)
 * writes `dist/web`, which the Fastify server serves at `/` (src/interfaces/http/web-app.ts).
 * `npm run dev:web` serves it with hot reload and proxies the API to a server on :3000.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../../../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      '/trpc': { target: 'http://127.0.0.1:3000', ws: true },
    },
  },
});
