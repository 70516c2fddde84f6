/**
 * Parses OTEL_EXPORTER_OTLP_HEADERS as the OpenTelemetry spec writes it: `k1=v1,k2=v2`, values
 * URL-encoded. Throws a message naming the bad pair.
 */
export function parseOtlpHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!text) return headers;
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const name = eq === -1 ? '' : pair.slice(0, eq).trim();
    if (!name) throw new Error('expected name=value pairs separated by commas');
    try {
      headers[name] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      throw new Error(`the value of ${name} is not URL-encoded text`);
    }
  }
  return headers;
}
