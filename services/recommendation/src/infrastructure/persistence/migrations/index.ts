import { Init1764280000000 } from './1764280000000-init.migration';

/** Every migration of the recommendation service, in order. The schema comes only from these, never from `synchronize`. */
export const recommendationMigrations = [Init1764280000000];
