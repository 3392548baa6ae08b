// Every request the browser makes, as plain records, for assertions such as "the bytes went to
// the store's origin, never to the API's".

const keptBodyBytes = 1024 * 1024;

export class NetworkLog {
  constructor(context) {
    this.entries = [];
    context.on('request', (request) => {
      const body = bodyOf(request);
      const entry = {
        method: request.method(),
        url: request.url(),
        origin: originOf(request.url()),
        // Playwright keeps the body of fetch/XHR requests; a File sent by XHR may be absent
        // here, so the byte count is a lower bound (the Content-Length header is checked too).
        bodyBytes: body?.length ?? 0,
        // Small bodies are kept whole, to search them for a file's bytes.
        body: body && body.length <= keptBodyBytes ? body : null,
        contentLength: Number(request.headers()['content-length'] ?? 0),
        status: null,
        failure: null,
      };
      this.entries.push(entry);
      request
        .response()
        .then((response) => {
          entry.status = response ? response.status() : null;
        })
        .catch(() => {});
    });
    context.on('requestfailed', (request) => {
      const entry = this.entries.findLast((e) => e.url === request.url() && e.failure === null && e.status === null);
      if (entry) {
        entry.failure = request.failure()?.errorText ?? 'failed';
      }
    });
  }

  /** A position to compare against later: `log.since(mark)`. */
  mark() {
    return this.entries.length;
  }

  since(mark) {
    return this.entries.slice(mark);
  }
}

export function originOf(url) {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

function bodyOf(request) {
  try {
    return request.postDataBuffer();
  } catch {
    return null;
  }
}
