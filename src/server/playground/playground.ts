import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

export interface PlaygroundOptions {
  /** Put in the headers tab, development only: the token of the embedded dev sign-in. */
  readonly devBearerToken?: string;
}

export interface PlaygroundAsset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

export interface Playground {
  readonly html: string;
  /** The asset for a `/playground/<name>` path, if it is one of ours. */
  asset(name: string): PlaygroundAsset | undefined;
}

export const PLAYGROUND_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // GraphiQL and CodeMirror set inline styles at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const DEFAULT_QUERY = `# Welcome to cobalt-gateway: the Cobalt flow,
# top to bottom. Press Run, pick an operation.
# The bearer token in the Headers tab says who
# you are; no operation takes a user id.

# 1. Provision your Cobalt linked account.
#    (COBALT_AUTO_PROVISION=true: step 2 does it.)
mutation UpsertLinkedAccount {
  upsertLinkedAccount(
    input: {
      name: "Demo user"
      udf: [{ key: "plan", value: "trial" }]
    }
  ) {
    accountId
    name
    udf {
      key
      value
    }
    createdAt
  }
}

# 2. Token: a session token for Cobalt's SDK.
mutation CreateSessionToken {
  createSessionToken {
    token
    expiresAt
    linkedAccountId
  }
}

# 3. Integrations you can connect, and their state.
query Integrations {
  integrations {
    slug
    name
    authType
    connected
    reauthRequired
    connectedAccounts {
      identifier
      status
      connectedAt
    }
  }
}

# 4. Connect: a link to Cobalt's hosted Connect
#    page. It embeds your session token: open it,
#    never share it. Then run Integrations again.
mutation CreateConnectUrl {
  createConnectUrl(slug: "slack") {
    url
    expiresAt
  }
}

# Who does the bearer token say I am?
query Viewer {
  viewer {
    linkedAccountId
  }
}

# Logout: revoke the session token at Cobalt.
mutation RevokeSessionToken {
  revokeSessionToken
}
`;

function load(path: string, contentType: string): PlaygroundAsset {
  const body = readFileSync(path);
  return { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

/**
 * GraphiQL served from the project's own dependencies: the prebuilt bundles that the `graphiql`,
 * `react` and `react-dom` npm packages ship, read once at start. The page references nothing outside
 * this origin, so it works on a machine with no internet and under a strict CSP (Apollo's default
 * landing page loads Sandbox from a CDN).
 */
export function createPlayground(options: PlaygroundOptions = {}): Playground {
  // Package `exports` maps hide these prebuilt files from require.resolve, so locate the package.
  const fromPackage = (name: string, file: string) => {
    const entry = require.resolve(name);
    const marker = `${sep}node_modules${sep}${name}${sep}`;
    return join(entry.slice(0, entry.lastIndexOf(marker) + marker.length), file);
  };
  const assets = new Map<string, PlaygroundAsset>([
    ['graphiql.min.css', load(fromPackage('graphiql', 'graphiql.min.css'), 'text/css; charset=utf-8')],
    ['graphiql.min.js', load(fromPackage('graphiql', 'graphiql.min.js'), 'text/javascript; charset=utf-8')],
    [
      'react.production.min.js',
      load(fromPackage('react', 'umd/react.production.min.js'), 'text/javascript; charset=utf-8'),
    ],
    [
      'react-dom.production.min.js',
      load(fromPackage('react-dom', 'umd/react-dom.production.min.js'), 'text/javascript; charset=utf-8'),
    ],
    ['playground-client.js', load(join(__dirname, 'playground-client.js'), 'text/javascript; charset=utf-8')],
  ]);

  const config = {
    endpoint: '/graphql',
    defaultQuery: DEFAULT_QUERY,
    ...(options.devBearerToken !== undefined && {
      headers: JSON.stringify({ Authorization: `Bearer ${options.devBearerToken}` }, null, 2),
    }),
  };
  // JSON in a non-executable script element; `<` is escaped so no value can close the element.
  const configJson = JSON.stringify(config).replace(/</g, '\\u003c');
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>cobalt-gateway playground</title>
    <link rel="stylesheet" href="/playground/graphiql.min.css" />
    <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
  </head>
  <body>
    <div id="graphiql">Loading the playground…</div>
    <script type="application/json" id="playground-config">${configJson}</script>
    <script src="/playground/react.production.min.js"></script>
    <script src="/playground/react-dom.production.min.js"></script>
    <script src="/playground/graphiql.min.js"></script>
    <script src="/playground/playground-client.js"></script>
  </body>
</html>
`;
  return { html, asset: (name) => assets.get(name) };
}
