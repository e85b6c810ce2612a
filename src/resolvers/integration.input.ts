import { Field, InputType } from 'type-graphql';
import { IntegrationAuthType } from './integration.type';

@InputType({ description: 'Narrows `integrations`. Every field set must match (AND).' })
export class IntegrationFilter {
  @Field(() => Boolean, { nullable: true, description: 'Only connected (true) or unconnected (false) ones.' })
  connected?: boolean | null;

  @Field(() => [String], { nullable: true, description: 'Only these slugs (at most 50).' })
  slugs?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'Only those whose name contains this text, ignoring case (at most 100 characters).',
  })
  nameContains?: string | null;

  @Field(() => IntegrationAuthType, { nullable: true, description: 'Only those with this authentication method.' })
  authType?: IntegrationAuthType | null;
}

@InputType({ description: "Options of Cobalt's hosted Connect page." })
export class ConnectUrlInput {
  @Field(() => String, {
    nullable: true,
    description: 'Where the hosted page sends the user when done: an absolute http(s) URL (at most 2048 characters).',
  })
  redirectUrl?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Cobalt config id to open (Cobalt creates it when unknown); letters, digits, `_`, `-`.',
  })
  configId?: string | null;
}
