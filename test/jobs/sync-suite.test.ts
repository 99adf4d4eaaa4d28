import { fakeStores } from '../fakes/stores.js';
import { syncSuite } from './sync-suite.js';

for (const factory of fakeStores) syncSuite(factory);
