import { createParameterDecorator } from 'type-graphql';
import { ErrorCode } from '../errors/error-code';
import { GatewayError } from '../errors/gateway-error';
import type { GatewayContext } from './context';
import type { Viewer } from './viewer';

/** Injects the signed-in `Viewer`; a field using it answers UNAUTHENTICATED for anonymous requests. */
export function CurrentViewer() {
  return createParameterDecorator<GatewayContext>(({ context }): Viewer => {
    if (context.viewer === null) throw new GatewayError(ErrorCode.UNAUTHENTICATED);
    return context.viewer;
  });
}
