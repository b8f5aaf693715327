import type { Branding } from '../branding.js';
import { SafeHtml, html } from './html.js';

/**
 * Gatehouse's own look, plain and accessible: system fonts, visible focus, 4.5:1 contrast. Class names are
 * Cognito's UI-customization classes, so a pool's CSS (SetUICustomization) applies as it does in Cognito.
 */
const BASE_CSS = new SafeHtml(`
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Liberation Sans",sans-serif;color:#1a1a1a;background:#f3f4f6}
.background-customizable{min-height:100vh;display:flex;align-items:flex-start;justify-content:center;padding:3rem 1rem}
main{width:100%;max-width:26rem;background:#fff;border:1px solid #d1d5db;border-radius:8px;padding:2rem}
.banner-customizable{text-align:center;margin-bottom:1rem}
.logo-customizable{max-width:100%;max-height:5rem}
h1{font-size:1.5rem;margin:0 0 1rem}
.textDescription-customizable{margin:0 0 1rem;color:#374151}
.field{margin-bottom:1rem}
.label-customizable{display:block;font-weight:600;margin-bottom:.25rem}
.inputField-customizable{width:100%;padding:.6rem .75rem;font:inherit;border:1px solid #6b7280;border-radius:4px;background:#fff;color:inherit}
.inputField-customizable[aria-invalid=true]{border-color:#b91c1c;border-width:2px}
.hint{display:block;font-size:.875rem;color:#4b5563}
.submitButton-customizable{width:100%;padding:.7rem;font:inherit;font-weight:600;color:#fff;background:#1d4ed8;border:0;border-radius:4px;cursor:pointer}
.submitButton-customizable:hover{background:#1e40af}
.secondaryButton{width:100%;margin-top:.5rem;padding:.6rem;font:inherit;color:#1d4ed8;background:#fff;border:1px solid #1d4ed8;border-radius:4px;cursor:pointer}
.errorMessage-customizable{padding:.75rem;margin-bottom:1rem;border:1px solid #b91c1c;border-left-width:6px;background:#fef2f2;color:#7f1d1d;border-radius:4px}
.notice{padding:.75rem;margin-bottom:1rem;border:1px solid #15803d;border-left-width:6px;background:#f0fdf4;color:#14532d;border-radius:4px}
.redirect-customizable{margin:1rem 0 0;text-align:center}
a{color:#1d4ed8}
a:focus,button:focus,input:focus{outline:3px solid #f59e0b;outline-offset:2px}
.legalText-customizable{font-size:.875rem;color:#4b5563}
.choices .submitButton-customizable{margin-bottom:.5rem}
.idpButton-customizable{display:block;padding:.7rem;margin-bottom:.5rem;text-align:center;font-weight:600;text-decoration:none;border:1px solid #1d4ed8;border-radius:4px}
.idp-choices{margin-bottom:1.5rem}
.qr{display:block;width:12rem;height:12rem;margin:0 auto 1rem;image-rendering:pixelated}
.secret-code{display:block;padding:.5rem;margin-top:.25rem;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.875rem;word-break:break-all;background:#f3f4f6;border-radius:4px}
`);

export interface PageFrame {
  title: string;
  branding: Branding;
  /** The CSP nonce that lets the page's own <style> elements (and nothing else) apply. */
  nonce: string;
  body: SafeHtml;
}

export function renderPage(frame: PageFrame): string {
  const { branding } = frame;
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${frame.title}</title>
<style nonce="${frame.nonce}">${BASE_CSS}</style>
${branding.css !== undefined ? html`<style nonce="${frame.nonce}">${styleText(branding.css)}</style>` : ''}
</head>
<body>
<div class="background-customizable">
<main>
${branding.logoDataUri ? html`<div class="banner-customizable"><img class="logo-customizable" src="${branding.logoDataUri}" alt=""></div>` : ''}
${frame.body}
</main>
</div>
</body>
</html>
`.value;
}

/**
 * A pool's CSS goes into a <style> element, where HTML escaping would corrupt it; `<` never occurs in CSS a
 * customization needs, and dropping it means `</style>` cannot end the element early.
 */
function styleText(css: string): SafeHtml {
  return new SafeHtml(css.replace(/</g, ''));
}
