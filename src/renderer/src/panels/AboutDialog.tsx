// About: what snitchmap is and the attributions its data and libraries require.

import { useEffect, useRef } from 'react';
import type { HelloMessage } from '../../../shared/contract.js';
import { GeoipAttribution } from './GeoipAttribution.js';

export function AboutDialog({ hello, onClose }: { hello: HelloMessage; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(function showModal() {
    const element = dialog.current;
    if (element !== null && !element.open) element.showModal();
  }, []);
  return (
    <dialog ref={dialog} className="about" aria-labelledby="about-title" onClose={onClose} onCancel={onClose}>
      <h2 id="about-title">About snitchmap</h2>
      <p>Every connection this computer makes or accepts, live on a world map: process, host name, location.</p>
      <h3>Data and libraries</h3>
      <ul>
        <li>
          <a href="https://db-ip.com" target="_blank" rel="noreferrer noopener">IP Geolocation by DB-IP</a>
          {' — DB-IP Lite databases, licensed under '}
          <a href="https://creativecommons.org/licenses/by/4.0/" target="_blank" rel="noreferrer noopener">CC BY 4.0</a>.
        </li>
        <li>In use: <GeoipAttribution geoip={hello.geoip} /></li>
        <li>Basemap: Natural Earth (public domain), via world-atlas (ISC).</li>
        <li>
          <a href="https://leafletjs.com" target="_blank" rel="noreferrer noopener">Leaflet</a>
          {' — BSD 2-Clause licence. Clustering: supercluster (ISC). React (MIT).'}
        </li>
      </ul>
      <button type="button" autoFocus onClick={() => dialog.current?.close()}>Close</button>
    </dialog>
  );
}
