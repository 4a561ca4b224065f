import { InboxHandledAt1764330000000 } from '@shop/messaging';
import { Init1764280000000 } from './1764280000000-init.migration';
import { RecommendationModel1764290000000 } from './1764290000000-recommendation-model.migration';

/** Every migration of the recommendation service, in order. The schema comes only from these, never from `synchronize`. */
export const recommendationMigrations = [Init1764280000000, RecommendationModel1764290000000, InboxHandledAt1764330000000];
