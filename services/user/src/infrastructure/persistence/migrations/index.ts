import { Init1764280000000 } from './1764280000000-init.migration';
import { DemoUsers1764290000000 } from './1764290000000-demo-users.migration';
import { Outbox1764300000000 } from './1764300000000-outbox.migration';

/** Every migration of the user service, in order. The schema comes only from these, never from `synchronize`. */
export const userMigrations = [Init1764280000000, DemoUsers1764290000000, Outbox1764300000000];
