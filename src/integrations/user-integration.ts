import type { CobaltApplication } from '../cobalt/application';

/** How a user connects an application. */
export type AuthType = 'oauth2' | 'keybased' | 'other';

/** Whether a connection still works. */
export type ConnectionState = 'active' | 'expired' | 'other';

/** One of the user's connections to an integration (a Slack workspace, a HubSpot portal…). */
export interface UserConnection {
  readonly identifier: string | null;
  readonly status: ConnectionState;
  readonly connectedAt: Date | null;
}

/** An integration as one user sees it: the application, and the user's connections to it. */
export interface UserIntegration {
  readonly slug: string;
  readonly name: string;
  readonly icon: string | null;
  readonly description: string | null;
  readonly authType: AuthType;
  readonly connected: boolean;
  readonly reauthRequired: boolean;
  readonly connectedAccounts: readonly UserConnection[];
}

/**
 * Cobalt's application in the service's own terms. The GraphQL layer sees only these types, so a
 * change to the Cobalt client's shapes stops here instead of reaching the schema. The fields keep
 * their names: the Redis cache stores them, and instances of different versions share it.
 */
export function toUserIntegration(app: CobaltApplication): UserIntegration {
  return {
    slug: app.slug,
    name: app.name,
    icon: app.icon,
    description: app.description,
    authType: app.authType,
    connected: app.connected,
    reauthRequired: app.reauthRequired,
    connectedAccounts: app.connectedAccounts.map((connection) => ({
      identifier: connection.identifier,
      status: connection.status,
      connectedAt: connection.connectedAt,
    })),
  };
}
