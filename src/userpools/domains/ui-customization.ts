import type { UICustomizationType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../../context.js';
import { InvalidParameterException } from '../../protocol/errors.js';
import { ALL_CLIENTS, type StoredUiCustomization } from '../../storage/ui-customizations-repository.js';
import { versionOf } from './domains.js';

/** Cognito's limit for the hosted UI logo. */
const MAX_IMAGE_BYTES = 100 * 1024;
/** The model's limit for CSS (CSSType), counted in bytes rather than characters. */
const MAX_CSS_BYTES = 131_072;

export type UiImageType = 'image/png' | 'image/jpeg' | 'image/svg+xml';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff]);
/** An SVG document: optional XML declaration, comments and doctype, then the svg element. */
const SVG_START = /^\uFEFF?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*(?:<!DOCTYPE[^>[]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<svg[\s>]/i;
/**
 * What an SVG must not carry: it is served from Gatehouse's origin, so script in it would run there
 * (stored XSS), and entities can expand without bound.
 */
const SVG_ACTIVE_CONTENT = /<script|<foreignobject|<iframe|<embed|<object|<!entity|\son[a-z]+\s*=|javascript:|data:text\/html/i;
/**
 * CSS is placed in a <style> element of the hosted UI pages. `<` is what would end that element
 * (`</style>`); the rest are ways CSS has run script (IE's expression() and behaviors, Firefox's
 * -moz-binding) or fetched other style sheets. Escapes are refused because they can spell any of them.
 */
const CSS_FORBIDDEN = ['expression(', 'javascript:', 'vbscript:', '@import', '-moz-binding', 'behavior:'];

/** The image's type, from its first bytes; undefined for anything but PNG, JPEG and SVG. */
export function imageContentType(image: Buffer): UiImageType | undefined {
  if (image.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) return 'image/png';
  if (image.subarray(0, JPEG_SIGNATURE.length).equals(JPEG_SIGNATURE)) return 'image/jpeg';
  if (SVG_START.test(image.subarray(0, 4096).toString('utf8'))) return 'image/svg+xml';
  return undefined;
}

export function checkImage(image: Buffer): void {
  if (image.length > MAX_IMAGE_BYTES) throw new InvalidParameterException(`The image file must be at most ${MAX_IMAGE_BYTES / 1024} KB, not ${image.length} bytes.`);
  const type = imageContentType(image);
  if (!type) throw new InvalidParameterException('The image file must be a PNG, JPEG or SVG image.');
  if (type === 'image/svg+xml' && SVG_ACTIVE_CONTENT.test(image.toString('utf8'))) {
    throw new InvalidParameterException('The SVG image must not contain scripts, event handlers, embedded documents or entity declarations.');
  }
}

export function checkCss(css: string): void {
  if (Buffer.byteLength(css) > MAX_CSS_BYTES) throw new InvalidParameterException(`The CSS must be at most ${MAX_CSS_BYTES} bytes.`);
  if (css.includes('<')) throw new InvalidParameterException('The CSS must not contain "<" (it must not close the style element it is placed in).');
  if (css.includes('\\')) throw new InvalidParameterException('The CSS must not contain escapes ("\\").');
  const compact = css.replace(/\/\*[\s\S]*?(\*\/|$)/g, '').replace(/\s+/g, '').toLowerCase();
  const forbidden = CSS_FORBIDDEN.find((text) => compact.includes(text));
  if (forbidden) throw new InvalidParameterException(`The CSS must not contain ${forbidden}`);
}

/**
 * What the hosted UI shows for a client: the client's own customization, else the pool's (ALL), else none.
 * GetUICustomization answers with the same.
 */
export async function uiCustomizationFor(ctx: ServiceContext, poolId: string, clientId: string | undefined): Promise<StoredUiCustomization | undefined> {
  if (clientId !== undefined && clientId !== ALL_CLIENTS) {
    const own = await ctx.repos.uiCustomizations.get(poolId, clientId);
    if (own) return own;
  }
  return ctx.repos.uiCustomizations.get(poolId, ALL_CLIENTS);
}

/**
 * ImageUrl is left out: in Cognito it is a CloudFront URL of the logo, and Gatehouse's hosted UI pages
 * embed the stored image themselves.
 */
export function toUICustomizationType(customization: StoredUiCustomization): UICustomizationType {
  return {
    UserPoolId: customization.poolId,
    ClientId: customization.clientId,
    ...(customization.css !== undefined && { CSS: customization.css }),
    CSSVersion: versionOf(customization.updatedAt),
    CreationDate: customization.createdAt,
    LastModifiedDate: customization.updatedAt,
  };
}
