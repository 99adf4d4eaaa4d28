import { registerAdapter } from '../registry.js';
import { WooCommerceAdapter } from './adapter.js';

export { WooCommerceAdapter } from './adapter.js';

registerAdapter('woocommerce', (context) => new WooCommerceAdapter(context));
