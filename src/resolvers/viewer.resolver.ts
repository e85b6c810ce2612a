import { Query, Resolver } from 'type-graphql';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import type { Viewer } from '../auth/viewer';
import { ViewerType } from './viewer.type';

@Resolver(() => ViewerType)
export class ViewerResolver {
  @Query(() => ViewerType, { description: 'Who the bearer token says you are.' })
  viewer(@CurrentViewer() viewer: Viewer): ViewerType {
    return Object.assign(new ViewerType(), { linkedAccountId: viewer.linkedAccountId });
  }
}
