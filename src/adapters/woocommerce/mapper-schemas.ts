import { z } from 'zod';
import { addressSchema } from './mapper-fields.js';

/**
 * The shapes the WooCommerce mappers accept (zod, loose: unknown fields pass).
 * Only what the canonical records use is checked; a mismatch becomes a
 * per-item mapping failure, never a thrown error.
 */

/** The key under which the adapter embeds a variable product's variations in its raw item. */
export const EMBEDDED_VARIATIONS = 'embedded_variations';

const id = z.number().int().positive();
const str = z.string().nullish();
const num = z.union([z.number(), z.string()]).nullish();
const named = z.looseObject({ id: z.number().nullish(), name: str, slug: str });

export const customerSchema = z.looseObject({
  id,
  email: z.string(),
  first_name: str,
  last_name: str,
  username: str,
  role: str,
  billing: addressSchema,
  shipping: addressSchema,
  is_paying_customer: z.boolean().nullish(),
  date_created_gmt: str,
  date_modified_gmt: str,
});

const stockFields = {
  sku: str,
  manage_stock: z.union([z.boolean(), z.string()]).nullish(), // variations may say "parent"
  stock_quantity: num,
  stock_status: str,
};

export const variationSchema = z.looseObject({
  id,
  status: str,
  price: num,
  regular_price: num,
  sale_price: num,
  attributes: z.array(z.looseObject({ id: z.number().nullish(), name: str, option: str })).nullish(),
  date_modified_gmt: str,
  ...stockFields,
});

export const productSchema = z.looseObject({
  id,
  name: str,
  slug: str,
  type: str,
  status: str,
  parent_id: z.number().nullish(),
  price: num,
  regular_price: num,
  sale_price: num,
  on_sale: z.boolean().nullish(),
  categories: z.array(named).nullish(),
  attributes: z
    .array(
      z.looseObject({
        id: z.number().nullish(),
        name: str,
        variation: z.boolean().nullish(),
        options: z.array(z.string()).nullish(),
      }),
    )
    .nullish(),
  date_created_gmt: str,
  date_modified_gmt: str,
  [EMBEDDED_VARIATIONS]: z.array(z.unknown()).optional(),
  ...stockFields,
});

const lineItemSchema = z.looseObject({
  id,
  name: str,
  product_id: z.number().nullish(),
  variation_id: z.number().nullish(),
  quantity: num,
  sku: str,
  price: num,
  subtotal: num,
  total: num,
  total_tax: num,
});

export const orderSchema = z.looseObject({
  id,
  parent_id: z.number().nullish(),
  number: z.union([z.string(), z.number()]).nullish(),
  status: str,
  currency: str,
  prices_include_tax: z.boolean().nullish(),
  discount_total: num,
  shipping_total: num,
  total: num,
  total_tax: num,
  customer_id: z.number().nullish(),
  customer_note: str,
  billing: addressSchema,
  shipping: addressSchema,
  payment_method: str,
  payment_method_title: str,
  transaction_id: str,
  line_items: z.array(lineItemSchema).nullish(),
  date_created_gmt: str,
  date_modified_gmt: str,
  date_paid_gmt: str,
  date_completed_gmt: str,
});

export const categorySchema = z.looseObject({
  id,
  name: z.string(),
  slug: str,
  parent: z.number().nullish(),
  description: str,
  display: str,
  menu_order: z.number().nullish(),
  image: z.looseObject({ src: str }).nullish(),
});

export const attributeSchema = z.looseObject({
  id,
  name: z.string(),
  slug: str,
  type: str,
  order_by: str,
  has_archives: z.boolean().nullish(),
});

export const inventorySchema = z.looseObject({ id, name: str, date_modified_gmt: str, ...stockFields });
