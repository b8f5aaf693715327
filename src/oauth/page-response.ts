import type { FastifyReply, FastifyRequest } from 'fastify';
import { brandingFor } from './branding.js';
import type { AuthorizationRequest } from './authorization-request.js';
import { checkCsrf, csrfToken } from './csrf.js';
import type { HostedPool } from './hosted-pool.js';
import { renderPage } from './pages/layout.js';
import type { FormState } from './pages/fields.js';
import type { PageContent } from './pages/templates.js';
import { Params } from './params.js';
import { formActionSource } from './redirect-uris.js';

export interface PageOptions {
  status?: number;
  /** The app client whose UI customization applies, when the page serves one. */
  clientId?: string;
  /** Where a form's answer may redirect (the client's redirect_uri), for CSP form-action. */
  redirectUri?: string;
}

/**
 * A server-rendered page with its security headers: a CSP that allows only the page's own styles (by
 * nonce) and data: images, no scripts, no framing (frame-ancestors, X-Frame-Options), forms posting only
 * here or redirecting to the client's own callback; never cached; no Referer leaking codes or state.
 */
export async function sendPage(hosted: HostedPool, reply: FastifyReply, content: PageContent, options: PageOptions = {}): Promise<FastifyReply> {
  const nonce = hosted.ctx.randomBytes(16).toString('base64');
  const formAction = ["'self'", ...(options.redirectUri ? [formActionSource(options.redirectUri)] : [])].join(' ');
  const branding = await brandingFor(hosted.ctx, hosted.pool.id, options.clientId);
  return reply
    .code(options.status ?? 200)
    .header(
      'content-security-policy',
      `default-src 'none'; style-src 'nonce-${nonce}'; img-src data:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    )
    .header('x-frame-options', 'DENY')
    .type('text/html; charset=utf-8')
    .send(renderPage({ title: content.title, branding, nonce, body: content.body }));
}

/** A link or form target within the pool's pages, keeping the authorization request's parameters. */
export function pageUrl(hosted: HostedPool, path: string, query: string, extra: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams(query);
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) params.set(name, value);
  const search = params.toString();
  return `${hosted.basePath}${path}${search ? `?${search}` : ''}`;
}

/** A posted form, after its CSRF token has been checked. */
export function postedForm(hosted: HostedPool, request: FastifyRequest): Params {
  const form = Params.ofForm(request);
  checkCsrf(hosted, request, form);
  return form;
}

/** The state of a form being shown: where it posts and its CSRF token. */
function formState(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply, action: string, extra: Partial<FormState> = {}): FormState {
  return { action, csrf: csrfToken(hosted, request, reply), ...extra };
}

/**
 * A form page within an authorization request: the form posts to `path` (the request's parameters kept,
 * plus `query`), and the page carries the client's branding and may redirect to its callback.
 */
export function sendFormPage(
  hosted: HostedPool,
  request: FastifyRequest,
  reply: FastifyReply,
  auth: AuthorizationRequest,
  form: { path: string; query?: Record<string, string | undefined>; extra?: Partial<FormState>; status?: number },
  content: (state: FormState) => PageContent,
): Promise<FastifyReply> {
  const state = formState(hosted, request, reply, pageUrl(hosted, form.path, auth.query, form.query), form.extra);
  return sendPage(hosted, reply, content(state), { status: form.status ?? 200, clientId: auth.client.clientId, redirectUri: auth.redirectUri });
}

/** A form field's value: the browser sends every field, empty ones as empty strings. */
export function field(form: Params, name: string): string {
  try {
    return form.get(name) ?? '';
  } catch {
    return '';
  }
}
