import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// One bundle for sign-in; the inbox itself is a lazy route chunk (src/App.jsx).
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    sourcemap: false,
    chunkSizeWarningLimit: 900,
  },
});
