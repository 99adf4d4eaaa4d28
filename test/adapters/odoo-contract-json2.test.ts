import { odooFakeStore } from '../fakes/odoo/control.js';
import { adapterContract } from './contract.js';

// The shared list runs Odoo over JSON-RPC; the same contract holds over JSON-2.
adapterContract(odooFakeStore('json2'));
