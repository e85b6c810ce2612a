import { Field, GraphQLISODateTime, ID, InputType, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A user-defined field of a linked account, as Cobalt stores it.' })
export class UserDefinedField {
  @Field(() => String, { description: 'Field name.' })
  key!: string;

  @Field(() => String, { description: 'Value (Cobalt stores text).' })
  value!: string;
}

@ObjectType({ description: 'The Cobalt linked account of the signed-in user, as Cobalt stores it.' })
export class LinkedAccount {
  @Field(() => ID, { description: 'The linked account id (from your bearer token).' })
  accountId!: string;

  @Field(() => String, { nullable: true, description: 'Display name shown in Cobalt.' })
  name!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Cobalt's data environment (`test` or `production`), chosen by the API key.",
  })
  environment!: string | null;

  @Field(() => [UserDefinedField], { description: 'User-defined fields, merged by name across upserts.' })
  udf!: UserDefinedField[];

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When Cobalt created the account.' })
  createdAt!: Date | null;
}

@InputType({ description: 'A user-defined field to set.' })
export class UserDefinedFieldInput {
  @Field(() => String, { description: 'Field name: printable ASCII without spaces, 1–128 characters.' })
  key!: string;

  @Field(() => String, { description: 'Value: at most 1024 characters, no control characters.' })
  value!: string;
}

@InputType({ description: 'What to store on your linked account. Fields left out are kept as they are.' })
export class LinkedAccountInput {
  @Field(() => String, { nullable: true, description: 'Display name (1–256 characters, no control characters).' })
  name?: string | null;

  @Field(() => [UserDefinedFieldInput], {
    nullable: true,
    description: 'User-defined fields to set (at most 50, unique keys); others are kept.',
  })
  udf?: UserDefinedFieldInput[] | null;
}
