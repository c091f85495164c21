// Renderer entry. window.snitchmap comes from the Electron preload or the web transport of
// `snitchmap serve`; the UI does not care which, but says so plainly when neither is there.

import './transport.js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { ErrorBoundary } from './panels/ErrorBoundary.js';
import { MissingApi } from './panels/MissingApi.js';
import './styles.css';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
const api = (window as Partial<Window>).snitchmap;
createRoot(root).render(
  <StrictMode>
    <ErrorBoundary>{api === undefined ? <MissingApi /> : <App api={api} />}</ErrorBoundary>
  </StrictMode>,
);
