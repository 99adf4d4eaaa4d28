import { fakeStores } from '../fakes/stores.js';
import { adapterContract } from './contract.js';

for (const factory of fakeStores) adapterContract(factory);
