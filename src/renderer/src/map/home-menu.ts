// Right-click on the map offers "Set home here" (the home marker is user-settable). The popup is
// built from DOM nodes; nothing from outside goes into it.

import L from 'leaflet';

export function homeMenu(map: L.Map, onSetHome: (lat: number, lon: number) => void): () => void {
  const popup = L.popup({ closeButton: true, autoPan: false });
  const onContextMenu = (event: L.LeafletMouseEvent): void => {
    const { lat, lng } = event.latlng.wrap();
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'popup-button';
    button.textContent = `Set home here (${lat.toFixed(2)}, ${lng.toFixed(2)})`;
    button.addEventListener('click', () => {
      onSetHome(Math.round(lat * 100) / 100, Math.round(lng * 100) / 100);
      map.closePopup(popup);
    });
    popup.setLatLng(event.latlng).setContent(button).openOn(map);
  };
  map.on('contextmenu', onContextMenu);
  return () => {
    map.off('contextmenu', onContextMenu);
    popup.remove();
  };
}
