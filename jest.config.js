// @ts-check
/** Two projects: `unit` opens no sockets; `integration` runs real servers on loopback. */
const tsJest = [
  'ts-jest',
  {
    // Type-checking is `npm run check:types`; here we only transpile, which keeps the suite fast.
    tsconfig: {
      module: 'commonjs',
      moduleResolution: 'node10',
      allowJs: true,
      target: 'ES2022',
      isolatedModules: true,
    },
  },
];

/** @type {import('jest').Config['projects']} */
const shared = {
  // jose 6 ships only ES modules; jest's CommonJS runtime needs it transpiled.
  transform: { '^.+\\.(ts|js)$': tsJest },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  setupFilesAfterEnv: ['<rootDir>/test/jest.setup.ts'],
  restoreMocks: true,
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      setupFilesAfterEnv: [...shared.setupFilesAfterEnv, '<rootDir>/test/jest.integration-setup.ts'],
    },
  ],
};
