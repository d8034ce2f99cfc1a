// Builds the dashboard into dist/: index.html plus hashed assets, everything bundled (no CDN),
// served by innograph-server at / (--web-root). Relative asset URLs, so it also works under a
// path prefix behind a proxy.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // `npm run dev` against a running server: INNOGRAPH_HTTP=http://127.0.0.1:8080 npm run dev
    proxy: { '/api': process.env.INNOGRAPH_HTTP || 'http://127.0.0.1:8080' },
  },
});
