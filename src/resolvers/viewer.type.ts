import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType('Viewer', { description: 'The signed-in user, as the gateway sees them.' })
export class ViewerType {
  @Field(() => ID, { description: 'The Cobalt linked account id taken from your bearer token.' })
  linkedAccountId!: string;
}
