import type { ServiceContext } from '../context.js';
import { imageContentType, uiCustomizationFor } from '../userpools/domains/ui-customization.js';

/** A pool's (or client's) UI customization, ready for a page. */
export interface Branding {
  /** Checked when it was set (no `<`, no script-capable constructs); placed in a nonce'd <style>. */
  css?: string;
  /** The logo as a data: URI (the page's CSP allows images from data: only). */
  logoDataUri?: string;
}

/** The client's own customization when it has one, else the pool's (Cognito's ALL), else none. */
export async function brandingFor(ctx: ServiceContext, poolId: string, clientId: string | undefined): Promise<Branding> {
  const customization = await uiCustomizationFor(ctx, poolId, clientId);
  if (!customization) return {};
  const imageType = customization.image && imageContentType(customization.image);
  return {
    ...(customization.css !== undefined && { css: customization.css }),
    ...(customization.image && imageType && { logoDataUri: `data:${imageType};base64,${customization.image.toString('base64')}` }),
  };
}
