// @ts-check
/**
 * The gateway's layers, checked in `npm test` (`npm run check:layers`). From the bottom up:
 *
 *   foundation      config/ errors/         what everything may use
 *   observability   observability/          logs, metrics, the request scope
 *   infra           infra/                  clock, Redis connections, sealed records, key derivation
 *   services        cobalt/ → auth/ → rate-limits/ → session-tokens/ → integrations/ → linked-accounts/
 *   GraphQL         resolvers/ schema/      map GraphQL to a service call and back, nothing more
 *   server          server/                 HTTP, Apollo, plugins, lifecycle, readiness
 *   composition     composition/ app.ts main.ts   the only code that knows every folder
 *
 * A folder imports only folders on its own line or below it, so no two folders can depend on each
 * other. The services are ordered too: `cobalt/` (the upstream client and its emulator) uses no other
 * service, and a service that needs something of a later one declares an interface for it. The
 * GraphQL layer never reaches past the services to `cobalt/`, not even through a service that
 * re-exports Cobalt's types: a service answers in types of its own, mapped from Cobalt's. No file may
 * be part of an import cycle.
 * docs/architecture.md draws the same picture.
 */
const TIERS = [
  ['config', 'errors'],
  ['observability'],
  ['infra'],
  ['cobalt'],
  ['auth'],
  ['rate-limits'],
  ['session-tokens'],
  ['integrations'],
  ['linked-accounts'],
  ['resolvers', 'schema'],
  ['server'],
  ['composition', 'app.ts', 'main.ts'],
];

const pathOf = (/** @type {string[]} */ names) => `^src/(${names.map((n) => n.replace('.', '\\.')).join('|')})(/|$)`;

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const upward = TIERS.slice(0, -1).map((tier, index) => ({
  name: `no-upward-import-from-${tier.join('-')}`,
  comment: `${tier.join(', ')} may import only folders listed on its own line or below it.`,
  severity: 'error',
  from: { path: pathOf(tier) },
  to: { path: pathOf(TIERS.slice(index + 1).flat()) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'An import cycle hides which part depends on which: break it with an interface owned by the consumer.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'resolvers-go-through-services',
      comment: 'A resolver maps GraphQL to a service call; calling Cobalt directly skips caching, limits and policy.',
      severity: 'error',
      from: { path: '^src/(resolvers|schema)/' },
      to: { path: '^src/cobalt/' },
    },
    {
      name: 'no-re-export-of-cobalt',
      comment:
        "Only cobalt/ exports Cobalt's types: a service that passes them on (`export … from '../cobalt/…'`) lets the GraphQL layer depend on Cobalt's shapes. Declare the service's own type and map to it.",
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cobalt/' },
      to: { path: '^src/cobalt/', dependencyTypes: ['export'] },
    },
    ...upward,
  ],
  options: {
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
  },
};
