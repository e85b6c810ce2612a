import { jest } from '@jest/globals';

// Real servers, real Redis, real Chromium on a shared 2-core machine: jest's 5 s default turns a busy
// neighbour into a failure. Tests bound their own waits where timing is the subject. (Set here, not
// as the project's `testTimeout`: jest-circus reads that option only from the top-level config.)
jest.setTimeout(30_000);
