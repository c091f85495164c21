// Reading the map's flows canvas (arcs and markers) in Chromium: how many opaque pixels lie around
// a screen point, so e2e tests can tell whether an arc passes there without reaching into Leaflet.

import type { Page } from 'playwright-core';

/** Opaque pixels of the flows canvas in a (2r+1)² square around a screen point (-1: no canvas). */
export async function flowInk(page: Page, x: number, y: number, r = 3): Promise<number> {
  return page.evaluate(({ x, y, r }) => {
    const canvas = document.querySelector<HTMLCanvasElement>('.leaflet-flows-pane canvas');
    const context = canvas?.getContext('2d');
    if (!canvas || !context) return -1;
    const rect = canvas.getBoundingClientRect();
    const scale = canvas.width / rect.width;
    const data = context.getImageData(Math.round((x - rect.left) * scale) - r, Math.round((y - rect.top) * scale) - r,
      2 * r + 1, 2 * r + 1).data;
    let ink = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 40) ink += 1;
    return ink;
  }, { x, y, r });
}
