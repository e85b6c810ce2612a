import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';

@ObjectType({ description: "A Cobalt session token for the signed-in user, for Cobalt's frontend SDK." })
export class SessionToken {
  @Field(() => String, { description: 'The session token (a JWT). A secret: keep it in memory, never log it.' })
  token!: string;

  @Field(() => GraphQLISODateTime, {
    description: "When the token expires, read from the token's `exp` claim (or Cobalt's `expires_in`).",
  })
  expiresAt!: Date;

  @Field(() => ID, { description: 'The Cobalt linked account the token is scoped to.' })
  linkedAccountId!: string;
}
