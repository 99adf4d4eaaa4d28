/**
 * Registers the built-in source adapters. Import this module once (worker,
 * CLI, API) before calling `createAdapter`.
 */
import './woocommerce/index.js';

export { createAdapter, registerAdapter, registeredAdapterTypes } from './registry.js';
