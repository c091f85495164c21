// The GeoIP database in use and its attribution. DB-IP's CC BY 4.0 licence requires
// "IP Geolocation by DB-IP" with a link to db-ip.com on every page that shows its results.

import type { HelloMessage } from '../../../shared/contract.js';

export function GeoipAttribution({ geoip }: { geoip: HelloMessage['geoip'] }) {
  if (geoip === null) return <span className="status-item warn">no GeoIP database: places unknown</span>;
  const isDbIp = /db-?ip/i.test(`${geoip.database} ${geoip.attribution}`);
  return (
    <span className="status-item geoip">
      {`${geoip.database} (${geoip.built}) · `}
      {isDbIp ? (
        <a href="https://db-ip.com" target="_blank" rel="noreferrer noopener">{geoip.attribution || 'IP Geolocation by DB-IP'}</a>
      ) : (
        geoip.attribution
      )}
    </span>
  );
}
