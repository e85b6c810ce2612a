import { Field, GraphQLISODateTime, ObjectType, registerEnumType } from 'type-graphql';

export enum IntegrationAuthType {
  OAUTH2 = 'OAUTH2',
  KEY_BASED = 'KEY_BASED',
  OTHER = 'OTHER',
}
registerEnumType(IntegrationAuthType, {
  name: 'IntegrationAuthType',
  description: 'How the user authenticates to the application.',
  valuesConfig: {
    OAUTH2: { description: "OAuth 2: the user signs in at the application's site." },
    KEY_BASED: { description: 'The user enters an API key or credentials.' },
    OTHER: { description: 'A method this gateway does not know yet.' },
  },
});

export enum ConnectionStatus {
  ACTIVE = 'ACTIVE',
  EXPIRED = 'EXPIRED',
  OTHER = 'OTHER',
}
registerEnumType(ConnectionStatus, {
  name: 'ConnectionStatus',
  description: 'State of one connection between the user and an application.',
  valuesConfig: {
    ACTIVE: { description: 'Working.' },
    EXPIRED: { description: 'The credentials expired: the user must connect again.' },
    OTHER: { description: 'A state this gateway does not know yet.' },
  },
});

@ObjectType({ description: "One of the user's connections to an application (a workspace, a portal, an account)." })
export class ConnectedAccount {
  @Field(() => String, { nullable: true, description: 'What the application calls the connected account.' })
  identifier!: string | null;

  @Field(() => ConnectionStatus, { description: 'Whether the connection works.' })
  status!: ConnectionStatus;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the user connected it.' })
  connectedAt!: Date | null;
}

@ObjectType({ description: 'An application the user can connect through Cobalt, with its connection state.' })
export class Integration {
  @Field(() => String, { description: "Cobalt's identifier of the application, e.g. `slack`." })
  slug!: string;

  @Field(() => String, { description: 'Display name.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Icon URL (or data URL).' })
  icon!: string | null;

  @Field(() => String, { nullable: true, description: 'What the integration does.' })
  description!: string | null;

  @Field(() => IntegrationAuthType, { description: 'How the user authenticates to the application.' })
  authType!: IntegrationAuthType;

  @Field(() => Boolean, { description: 'Whether the user has connected the application.' })
  connected!: boolean;

  @Field(() => Boolean, { description: 'Whether the connection needs the user to authenticate again.' })
  reauthRequired!: boolean;

  @Field(() => [ConnectedAccount], { description: "The user's connections to the application." })
  connectedAccounts!: ConnectedAccount[];
}

@ObjectType({
  description: "A link to Cobalt's hosted Connect page. It embeds the user's session token: treat it as a secret.",
})
export class ConnectUrl {
  @Field(() => String, {
    description: 'Open it (redirect or new window) to let the user connect. Never log or share it.',
  })
  url!: string;

  @Field(() => GraphQLISODateTime, { description: 'When the session token inside the link expires.' })
  expiresAt!: Date;
}
