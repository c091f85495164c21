// Brings in the web transport of `snitchmap serve` (src/web-transport/install.ts, owned by the
// desktop/app part) when the tree has it. It installs window.snitchmap only where neither the
// Electron preload nor anything else did, so importing it is harmless in the desktop window.
// A glob, not a plain import: the renderer builds and runs (showing "cannot reach its data")
// even in a tree without the transport. Eager glob imports are hoisted like static imports, so
// this runs before main.tsx looks at window.snitchmap.
/// <reference types="vite/types/importMeta.d.ts" />

export const transportModules = import.meta.glob('../../web-transport/install.ts', { eager: true });
