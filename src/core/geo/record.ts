// Two record schemas answer the same question. DB-IP (via ip-location-db) is flat:
// {country_code, city, latitude, longitude}; MaxMind GeoLite2/GeoIP2 City is nested:
// {country: {iso_code}, city: {names: {en}}, location: {latitude, longitude}}. The schema is
// detected per record, so a file of either kind works wherever it comes from.
import type { GeoInfo } from '../../shared/contract.js';

type Json = Record<string, unknown>;

function object(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function coordinate(value: unknown, limit: number): number | null {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= limit ? value : null;
}

export function countryCode(value: unknown): string | null {
  const code = text(value);
  return code && /^[A-Za-z]{2}$/.test(code) ? code.toUpperCase() : null;
}

function fromFlat(record: Json): GeoInfo | null {
  const lat = coordinate(record.latitude, 90);
  const lon = coordinate(record.longitude, 180);
  if (lat === null || lon === null) return null;
  return { country: countryCode(record.country_code) ?? 'ZZ', city: text(record.city), lat, lon };
}

function fromNested(record: Json): GeoInfo | null {
  const location = object(record.location);
  const lat = coordinate(location?.latitude, 90);
  const lon = coordinate(location?.longitude, 180);
  if (lat === null || lon === null) return null;
  const country =
    countryCode(object(record.country)?.iso_code) ?? countryCode(object(record.registered_country)?.iso_code) ?? 'ZZ';
  const city = text(object(object(record.city)?.names)?.en);
  return { country, city, lat, lon };
}

export function geoFromRecord(value: unknown): GeoInfo | null {
  const record = object(value);
  if (!record) return null;
  return object(record.location) ? fromNested(record) : fromFlat(record);
}
