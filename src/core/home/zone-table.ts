// Time zone → coordinates, from the tables tzdata installs (zone1970.tab, zone.tab: the principal
// city of each zone) and its link list (tzdata.zi `L target alias` lines, for old names such as
// US/Eastern). All offline: the files are part of the OS.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ZonePlace {
  lat: number;
  lon: number;
}

/** ISO 6709 as zone.tab writes it: ±DDMM±DDDMM or ±DDMMSS±DDDMMSS. */
export function parseIso6709(text: string): ZonePlace | null {
  const match = /^([+-])(\d{2})(\d{2})(\d{2})?([+-])(\d{3})(\d{2})(\d{2})?$/.exec(text);
  if (!match) return null;
  const part = (sign: string | undefined, d: string | undefined, m: string | undefined, s: string | undefined): number =>
    (sign === '-' ? -1 : 1) * (Number(d) + Number(m) / 60 + Number(s ?? 0) / 3600);
  return { lat: part(match[1], match[2], match[3], match[4]), lon: part(match[5], match[6], match[7], match[8]) };
}

export interface ZoneTable {
  places: Map<string, ZonePlace>;
  links: Map<string, string>;
}

function readOptional(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export function parseZoneTab(text: string, into: Map<string, ZonePlace>): void {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const [, coordinates, zone] = line.split('\t');
    const place = coordinates ? parseIso6709(coordinates) : null;
    if (zone && place && !into.has(zone)) into.set(zone, place);
  }
}

export function parseLinks(text: string): Map<string, string> {
  const links = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [kind, target, alias] = line.split(' ');
    if (kind === 'L' && target && alias) links.set(alias, target);
  }
  return links;
}

export function loadZoneTable(zoneinfoDir = '/usr/share/zoneinfo'): ZoneTable {
  const places = new Map<string, ZonePlace>();
  parseZoneTab(readOptional(join(zoneinfoDir, 'zone1970.tab')), places);
  parseZoneTab(readOptional(join(zoneinfoDir, 'zone.tab')), places);
  return { places, links: parseLinks(readOptional(join(zoneinfoDir, 'tzdata.zi'))) };
}

export function placeOfZone(table: ZoneTable, zone: string): ZonePlace | null {
  let name = zone;
  for (let hop = 0; hop < 8; hop++) {
    const place = table.places.get(name);
    if (place) return place;
    const target = table.links.get(name);
    if (!target) return null;
    name = target;
  }
  return null;
}
