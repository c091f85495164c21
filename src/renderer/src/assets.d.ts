// Vite's `?raw` imports: the file's text, bundled. Used for the world-atlas TopoJSON, parsed at runtime
// (typing 750 kB of JSON as a TypeScript literal would only slow the type checker).
declare module '*?raw' {
  const text: string;
  export default text;
}
