// The renderer's Content-Security-Policy, sent by `snitchmap serve` and by the Electron app
// protocol alike (the renderer's own meta tag repeats it for pages opened some other way).
// Vite and Leaflet set inline styles; scripts stay strictly 'self'. Images may come from any https
// host only because the optional online tile layer (off by default, user-configured URL) needs it;
// nothing else in the UI creates an image from data it was sent (names are rendered as text).

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
