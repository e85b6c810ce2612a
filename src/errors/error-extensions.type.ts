import { Field, Int, ObjectType } from 'type-graphql';
import { ErrorCode } from './error-code';

/**
 * Not returned by any field: it exists so the schema publishes the shape of `errors[].extensions`
 * (and with it the `ErrorCode` enum) for codegen and for the playground's docs.
 */
@ObjectType({ description: 'The shape of `extensions` on every error the gateway raises.' })
export class ErrorExtensions {
  @Field(() => ErrorCode, { description: 'Stable machine-readable code.' })
  code!: ErrorCode;

  @Field(() => Boolean, { description: 'Whether sending the same request again later may succeed.' })
  retryable!: boolean;

  @Field(() => Int, { nullable: true, description: 'Seconds to wait before retrying, when known.' })
  retryAfterSeconds?: number;

  @Field(() => String, { nullable: true, description: 'Id of the request, to find it in the logs.' })
  requestId?: string;
}
