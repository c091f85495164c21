// In a plain browser (`snitchmap serve`) window.snitchmap comes from the web transport; in the
// Electron window the preload already provided it and the transport leaves it alone. Imported
// first by main.tsx so the API exists before the UI touches it.
import '../../web-transport/install';
