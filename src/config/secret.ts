import { inspect } from 'node:util';

/**
 * A string that must never be printed. Logging a config object, `JSON.stringify`-ing it or
 * `util.inspect`-ing it shows `[redacted]`; only `reveal()` hands out the value, so every place that
 * really needs it is one grep away.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}
