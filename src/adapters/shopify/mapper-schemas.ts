import { z } from 'zod';
import { addressSchema, moneyBagSchema, moneySchema, nodesOf, refSchema } from './mapper-fields.js';

/** The shapes the Shopify mappers accept (loose: Shopify adds fields; the selections decide). */

const gid = z.string().regex(/^gid:\/\/shopify\/\w+\/\d+/, 'must be a Shopify gid');
const stamp = z.string().min(1);
const strings = z.array(z.string()).nullish();

export const customerSchema = z.looseObject({
  id: gid,
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  displayName: z.string().nullish(),
  state: z.string().nullish(),
  locale: z.string().nullish(),
  note: z.string().nullish(),
  tags: strings,
  verifiedEmail: z.boolean().nullish(),
  numberOfOrders: z.union([z.string(), z.number()]).nullish(),
  amountSpent: moneySchema,
  defaultEmailAddress: z
    .looseObject({ emailAddress: z.string(), marketingState: z.string().nullish() })
    .nullish(),
  defaultPhoneNumber: z.looseObject({ phoneNumber: z.string() }).nullish(),
  defaultAddress: addressSchema,
  createdAt: stamp,
  updatedAt: stamp,
});

const variantSchema = z.looseObject({
  id: gid,
  title: z.string().nullish(),
  sku: z.string().nullish(),
  barcode: z.string().nullish(),
  price: z.unknown(),
  compareAtPrice: z.unknown(),
  position: z.number().nullish(),
  inventoryQuantity: z.number().nullish(),
  taxable: z.boolean().nullish(),
  selectedOptions: z.array(z.looseObject({ name: z.string(), value: z.string() })).nullish(),
});

export const productSchema = z.looseObject({
  id: gid,
  title: z.string().nullish(),
  handle: z.string().nullish(),
  status: z.string().nullish(),
  vendor: z.string().nullish(),
  productType: z.string().nullish(),
  tags: strings,
  descriptionHtml: z.string().nullish(),
  createdAt: stamp,
  updatedAt: stamp,
  variants: nodesOf(variantSchema),
});

const lineItemSchema = z.looseObject({
  id: gid,
  name: z.string().nullish(),
  sku: z.string().nullish(),
  quantity: z.number().nullish(),
  variant: refSchema,
  originalUnitPriceSet: moneyBagSchema,
});

export const orderSchema = z.looseObject({
  id: gid,
  name: z.string().nullish(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  currencyCode: z.string().nullish(),
  displayFinancialStatus: z.string().nullish(),
  displayFulfillmentStatus: z.string().nullish(),
  note: z.string().nullish(),
  tags: strings,
  test: z.boolean().nullish(),
  createdAt: stamp,
  updatedAt: stamp,
  processedAt: z.string().nullish(),
  cancelledAt: z.string().nullish(),
  closedAt: z.string().nullish(),
  totalPriceSet: moneyBagSchema,
  subtotalPriceSet: moneyBagSchema,
  totalTaxSet: moneyBagSchema,
  totalShippingPriceSet: moneyBagSchema,
  totalDiscountsSet: moneyBagSchema,
  customer: refSchema,
  billingAddress: addressSchema,
  shippingAddress: addressSchema,
  lineItems: nodesOf(lineItemSchema),
});

export const collectionSchema = z.looseObject({
  id: gid,
  title: z.string().nullish(),
  handle: z.string().nullish(),
  descriptionHtml: z.string().nullish(),
  sortOrder: z.string().nullish(),
  templateSuffix: z.string().nullish(),
  updatedAt: stamp,
});

export const levelSchema = z.looseObject({
  id: gid,
  updatedAt: z.string().nullish(),
  location: z.looseObject({ id: z.string(), name: z.string().nullish() }).nullish(),
  quantities: z.array(z.looseObject({ name: z.string(), quantity: z.number() })).nullish(),
});

export const inventorySchema = z.looseObject({
  id: gid,
  sku: z.string().nullish(),
  tracked: z.boolean().nullish(),
  requiresShipping: z.boolean().nullish(),
  createdAt: stamp,
  updatedAt: stamp,
  unitCost: moneySchema,
  variants: nodesOf(refSchema.unwrap().unwrap()),
  inventoryLevels: nodesOf(levelSchema),
});
