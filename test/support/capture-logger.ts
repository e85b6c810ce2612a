import { createLogger, type Logger } from '../../src/observability/logger';

export interface CapturedLogs {
  readonly log: Logger;
  /** Every line written so far, raw. */
  readonly lines: string[];
  text(): string;
  parsed(): Record<string, unknown>[];
}

/** The gateway's real logger (redaction, serializers) writing into memory at `debug`. */
export function captureLogs(level: 'debug' | 'trace' | 'info' = 'debug'): CapturedLogs {
  const lines: string[] = [];
  const log = createLogger({ level, destination: { write: (line: string) => void lines.push(line) } });
  return {
    log,
    lines,
    text: () => lines.join(''),
    parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
