import { defineConfig } from 'vite';

const LOADER = 'atende-widget';
const PANEL_PLACEHOLDER = '__ATENDE_PANEL__';

// The loader is a classic script (the snippet needs no type="module"): no import/export and no
// import.meta, so it cannot import() the panel through Vite's preload helper. Instead both are entries
// and this writes the panel's hashed file name into the loader once the bundle is known, and wraps
// the loader in a function so its top-level names stay out of the page's globals.
function panelFileIntoLoader() {
  return {
    name: 'atende-panel-file-into-loader',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((file) => file.type === 'chunk');
      const loader = chunks.find((chunk) => chunk.isEntry && chunk.name === LOADER);
      const panel = chunks.find((chunk) => chunk.isEntry && chunk.name === 'panel');
      if (!loader.code.includes(PANEL_PLACEHOLDER)) throw new Error('the loader lost its panel placeholder');
      if (loader.imports.length || loader.dynamicImports.length || /\bimport\.meta\b/.test(loader.code)) {
        throw new Error('the loader must stay a classic script: it imports another chunk or uses import.meta');
      }
      // one function scope, strict like the module it was: nothing leaks into the page's globals
      const code = loader.code.replace(PANEL_PLACEHOLDER, `./${panel.fileName}`);
      loader.code = `(function(){'use strict';${code}\n})();\n`;
    },
  };
}

export default defineConfig({
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [panelFileIntoLoader()],
  build: {
    outDir: 'dist',
    sourcemap: false,
    modulePreload: false,
    target: 'es2020',
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      input: { [LOADER]: 'src/loader.js', panel: 'src/panel/index.jsx' },
      preserveEntrySignatures: 'exports-only',
      output: {
        format: 'es',
        entryFileNames: (chunk) => (chunk.name === LOADER ? '[name].js' : 'chunks/[name]-[hash].js'),
        chunkFileNames: 'chunks/[name]-[hash].js',
      },
    },
  },
});
