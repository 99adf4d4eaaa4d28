import { z } from 'zod';
import { extraSetting, rateLimitPerSecond, requiredString } from '../definition-fields.js';

export const wooAuthModes = ['basic', 'oauth1', 'query'] as const;
export const oauthSignatureMethods = ['HMAC-SHA1', 'HMAC-SHA256'] as const;

/** What a WooCommerce connection stores as credentials (`connection add --key --secret`). */
export const wooCredentialsSchema = z.object({
  key: requiredString('WooCommerce consumer key, ck_…').regex(/^ck_\S+$/, 'must be a consumer key: ck_…'),
  secret: requiredString('WooCommerce consumer secret, cs_…').regex(
    /^cs_\S+$/,
    'must be a consumer secret: cs_…',
  ),
});

/** A WooCommerce connection's settings; unknown keys are kept. */
export const wooSettingsSchema = z
  .object({
    /** `basic`, `oauth1` or `query`; default: basic over https, oauth1 over http. */
    authMode: z.enum(wooAuthModes, { error: `must be one of ${wooAuthModes.join(', ')}` }).optional(),
    /** OAuth 1.0a signature method. @defaultValue HMAC-SHA1 */
    oauthSignatureMethod: z
      .enum(oauthSignatureMethods, { error: `must be one of ${oauthSignatureMethods.join(', ')}` })
      .optional(),
    rateLimitPerSecond,
  })
  .catchall(extraSetting);
