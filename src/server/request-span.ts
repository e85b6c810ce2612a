import type { IncomingMessage, ServerResponse } from 'node:http';
import { extractContext, isTracing, markFailed, SpanKind, startSpan, withActiveSpan } from '../observability/tracing';

/**
 * Serves a request inside a server span that continues the caller's W3C `traceparent`. The span is
 * active for all the request triggers and ends when the response is done or the connection drops.
 * Only the method and the route are recorded: the query string of a GET may carry variables.
 */
export function serveInSpan(req: IncomingMessage, res: ServerResponse, route: string, serve: () => void): void {
  if (!isTracing()) {
    serve();
    return;
  }
  const parent = extractContext(req.headers);
  const method = req.method ?? 'GET';
  const span = startSpan(`${method} ${route}`, { kind: SpanKind.SERVER }, parent);
  if (span.isRecording()) {
    span.setAttributes({ 'http.request.method': method, 'http.route': route, 'url.path': route });
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (!res.writableFinished) markFailed(span, 'aborted');
      else if (res.statusCode >= 500) markFailed(span, String(res.statusCode));
      span.end();
    });
  }
  // Active even when not recording: an unsampled caller's trace id still travels on to Cobalt.
  withActiveSpan(parent, span, serve);
}
