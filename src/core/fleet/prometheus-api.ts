// A minimal client of the Prometheus HTTP API (instant queries only), with a bounded timeout per
// request: a slow or dead Prometheus must leave `serve --fleet` responsive with its last data.

export interface Sample {
  metric: Record<string, string>;
  value: number;
  /** Evaluation time of the query, milliseconds since the epoch on Prometheus's clock. */
  ts: number;
}

export type Fetch = (url: string, init: { signal: AbortSignal }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export class PrometheusError extends Error {
  override name = 'PrometheusError';
}

function isVectorSample(value: unknown): value is { metric: Record<string, string>; value: [number, string] } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { metric?: unknown; value?: unknown };
  return typeof v.metric === 'object' && v.metric !== null && Array.isArray(v.value) && typeof v.value[0] === 'number' && typeof v.value[1] === 'string';
}

/** Runs an instant query that must return a vector; non-finite values are dropped. */
export async function queryVector(baseUrl: string, promql: string, options: { timeoutMs: number; fetch?: Fetch }): Promise<Sample[]> {
  const url = new URL('api/v1/query', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  url.searchParams.set('query', promql);
  const doFetch: Fetch = options.fetch ?? ((u, init) => fetch(u, init));
  let body: unknown;
  try {
    const response = await doFetch(url.href, { signal: AbortSignal.timeout(options.timeoutMs) });
    body = await response.json().catch(() => null);
    if (!response.ok && body === null) throw new PrometheusError(`HTTP ${response.status}`);
  } catch (error) {
    if (error instanceof PrometheusError) throw error;
    throw new PrometheusError(error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : (error as Error).message);
  }
  const answer = body as { status?: unknown; error?: unknown; data?: { resultType?: unknown; result?: unknown } } | null;
  if (answer?.status !== 'success') throw new PrometheusError(typeof answer?.error === 'string' ? answer.error.slice(0, 200) : 'not a Prometheus API answer');
  if (answer.data?.resultType !== 'vector' || !Array.isArray(answer.data.result)) throw new PrometheusError('answer is not a vector');
  return answer.data.result.filter(isVectorSample).flatMap((s) => {
    const value = Number(s.value[1]);
    return Number.isFinite(value) ? [{ metric: s.metric, value, ts: s.value[0] * 1000 }] : [];
  });
}
