import type { ApplicationWire } from './cobalt.wire';
import { toDate } from './linked-account';

export type ApplicationAuthType = 'oauth2' | 'keybased' | 'other';
export type ConnectionStatus = 'active' | 'expired' | 'other';

/** One of the user's connections to an application (a Slack workspace, a HubSpot portal…). */
export interface CobaltConnection {
  readonly identifier: string | null;
  readonly status: ConnectionStatus;
  readonly connectedAt: Date | null;
}

/** An application (integration) as Cobalt shows it to one linked account. */
export interface CobaltApplication {
  readonly slug: string;
  readonly name: string;
  readonly icon: string | null;
  readonly description: string | null;
  readonly authType: ApplicationAuthType;
  readonly connected: boolean;
  readonly reauthRequired: boolean;
  readonly connectedAccounts: readonly CobaltConnection[];
}

export function toApplication(wire: ApplicationWire): CobaltApplication {
  const authType = wire.auth_type === 'oauth2' || wire.auth_type === 'keybased' ? wire.auth_type : 'other';
  const connectedAccounts = (wire.connected_accounts ?? []).map((account): CobaltConnection => ({
    // Cobalt's identifier is a string for most apps and an object for a few
    // (docs/cobalt-contract.md#applications-and-connect-urls).
    identifier:
      account.identifier === undefined || account.identifier === null
        ? null
        : typeof account.identifier === 'string'
          ? account.identifier
          : JSON.stringify(account.identifier),
    status: account.status === 'active' || account.status === 'expired' ? account.status : 'other',
    connectedAt: toDate(account.connectedAt),
  }));
  return {
    slug: wire.slug,
    name: wire.name,
    icon: wire.icon ?? null,
    description: wire.description ?? null,
    authType,
    // `connected` is present (true) once connected; some samples omit it and only list connections.
    connected: wire.connected ?? connectedAccounts.length > 0,
    reauthRequired: wire.reauth_required ?? false,
    connectedAccounts,
  };
}
