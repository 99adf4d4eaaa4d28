/** The shape of each fake store of the concurrent suite, and the five entities synced per connection. */
export const STORE_SHAPE = { customers: 150, products: 60, orders: 60, categories: 6, attributes: 3 };
export const STORE_ENTITIES = ['customer', 'product', 'order', 'category', 'attribute'] as const;
