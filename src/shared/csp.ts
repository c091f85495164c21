// The renderer's Content-Security-Policy, sent by `snitchmap serve` and by the Electron app
// protocol alike (the renderer's own meta tag repeats it for pages opened some other way).
// Vite and Leaflet set inline styles; scripts stay strictly 'self'.

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
