import 'reflect-metadata';
import { afterEach, beforeEach, jest } from '@jest/globals';

// Anything written to the console is a bug here: the gateway logs through pino, and a stray
// console.log could carry a secret. Apollo's suite fails tests the same way.
const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
let calls: string[] = [];

beforeEach(() => {
  calls = [];
  for (const method of methods) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      calls.push(`console.${method}: ${args.map(String).join(' ')}`);
    });
  }
});

afterEach(() => {
  if (calls.length > 0) throw new Error(`Test wrote to the console:\n${calls.join('\n')}`);
});
