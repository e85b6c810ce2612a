/**
 * The emulator's app catalogue, in the union shape of Cobalt's application samples
 * (docs/cobalt-contract.md#applications-and-connect-urls). `connected` and `connected_accounts` are
 * filled per linked account.
 */
export interface EmulatedApplication {
  readonly name: string;
  readonly slug: string;
  readonly app_id: string;
  readonly icon: string;
  readonly description: string;
  readonly auth_type: 'oauth2' | 'keybased';
  readonly type: string;
  readonly tags: readonly string[];
  readonly ecosystem: boolean;
}

export const APPLICATIONS: readonly EmulatedApplication[] = [
  {
    name: 'Slack',
    slug: 'slack',
    app_id: '64a1f0c2e4b0a1a2b3c4d5e1',
    icon: 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=',
    description: 'Send notifications to Slack channels.',
    auth_type: 'oauth2',
    type: 'slack',
    tags: ['Communication'],
    ecosystem: false,
  },
  {
    name: 'HubSpot',
    slug: 'hubspot',
    app_id: '64a1f0c2e4b0a1a2b3c4d5e2',
    icon: 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=',
    description: 'Sync contacts and deals with HubSpot.',
    auth_type: 'oauth2',
    type: 'hubspot',
    tags: ['CRM'],
    ecosystem: false,
  },
  {
    name: 'Freshdesk',
    slug: 'freshdesk',
    app_id: '64a1f0c2e4b0a1a2b3c4d5e3',
    icon: 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=',
    description: 'Create tickets in Freshdesk.',
    auth_type: 'keybased',
    type: 'freshdesk',
    tags: ['Support'],
    ecosystem: false,
  },
];

export function applicationsFor(connectedSlugs: ReadonlySet<string>) {
  return APPLICATIONS.map((app) => ({
    ...app,
    connected: connectedSlugs.has(app.slug),
    reauth_required: false,
    connected_accounts: connectedSlugs.has(app.slug)
      ? [
          {
            identifier: `${app.slug}-workspace`,
            connectedAt: '2026-01-01T00:00:00.000Z',
            status: 'active',
            auth_type: app.auth_type,
          },
        ]
      : [],
  }));
}
