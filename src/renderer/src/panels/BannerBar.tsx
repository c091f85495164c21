import type { Banner } from '../../../shared/api.js';

export function BannerBar({ banner, onRetry }: { banner: Banner | null; onRetry: () => void }) {
  if (banner === null) return null;
  return (
    <div className={`banner banner-${banner.kind}`} role={banner.kind === 'error' ? 'alert' : 'status'}>
      <span className="banner-kind">{banner.kind === 'info' ? 'ℹ' : '⚠'} {banner.kind}:</span>
      <span className="banner-message">{banner.message}</span>
      {banner.canRetry && <button type="button" onClick={onRetry}>Retry</button>}
    </div>
  );
}
