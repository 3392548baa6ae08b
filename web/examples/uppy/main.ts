// Uppy with no onehop-specific code: the AwsS3 plugin in Companion mode, with onehop's API origin
// as `companionEndpoint`. Companion mode sends no Authorization header, so the user is the one of
// the same-origin `onehop_token` cookie (set by POST /api/dev/token in dev mode, or by your app).

import AwsS3 from '@uppy/aws-s3';
import Uppy from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';
import './style.css';

interface ApiConfig {
  maxSize: number;
  allowedTypes: string[];
  devMode: boolean;
}

// onehop serves this page at <api>/examples/uppy/, so the API (and its /s3/* routes) is two up.
const apiBase = new URL('../../', location.href).href.replace(/\/$/, '');
const status = document.getElementById('status') as HTMLParagraphElement;
const form = document.getElementById('sign-in') as HTMLFormElement;

async function signedIn(): Promise<boolean> {
  const res = await fetch(`${apiBase}/api/images?limit=1`, { credentials: 'same-origin' });
  return res.ok;
}

function startUppy(config: ApiConfig): void {
  const uppy = new Uppy({
    restrictions: { maxFileSize: config.maxSize, allowedFileTypes: config.allowedTypes },
    autoProceed: false,
  })
    .use(Dashboard, {
      inline: true,
      target: '#uppy',
      width: '100%',
      height: 420,
      proudlyDisplayPoweredByUppy: false,
      note: `Images up to ${Math.round(config.maxSize / (1024 * 1024))} MB`,
    })
    .use(AwsS3, {
      companionEndpoint: apiBase,
      // Every upload ends with POST /s3/multipart/:id/complete, where onehop verifies the object
      // and records the image. A single-request POST policy upload has no such call.
      shouldUseMultipart: () => true,
    });
  uppy.on('complete', (result) => {
    const ok = result.successful?.length ?? 0;
    const failed = result.failed?.length ?? 0;
    status.textContent = `${ok} uploaded${failed ? `, ${failed} failed` : ''}.`;
  });
}

async function main(): Promise<void> {
  const config = (await (await fetch(`${apiBase}/api/config`)).json()) as ApiConfig;
  if (await signedIn()) {
    startUppy(config);
    return;
  }
  if (!config.devMode) {
    status.textContent = 'Sign in through your application first: this page uses its onehop_token cookie.';
    return;
  }
  form.hidden = false;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const user = (new FormData(form).get('user') as string).trim();
    const res = await fetch(`${apiBase}/api/dev/token`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user }),
    });
    if (!res.ok) {
      status.textContent = `Sign-in failed (${res.status}).`;
      return;
    }
    form.hidden = true;
    status.textContent = `Signed in as ${user}.`;
    startUppy(config);
  });
}

main().catch((e: unknown) => {
  status.textContent = `The onehop API is not answering: ${e instanceof Error ? e.message : String(e)}`;
});
