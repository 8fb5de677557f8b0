/**
 * Sends outgoing webhooks (flows/outbox/dispatcher.ts) over node:http(s): the connection goes to
 * an address the SSRF guard checked in the same DNS resolution (`guardedLookup`), so a name that
 * resolves to an internal address at delivery time (DNS rebinding) is refused; redirects are not
 * followed (node's request never does); the whole attempt has one deadline; the answer's body is
 * not read: its status (and `Retry-After`) is the answer.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkWebhookUrl, guardedLookup, type GuardOptions, type Resolve } from '../flows/outbound/ssrf.ts';
import { WebhookSendError, type WebhookPost } from '../flows/outbound/post.ts';

/** The sender of the outgoing webhooks, guarded by `guard`. */
export function createWebhookPost(guard: GuardOptions, opts: { resolve?: Resolve } = {}): WebhookPost {
  const lookup = guardedLookup(guard, opts.resolve);
  return (req) =>
    new Promise((resolve, reject) => {
      // An address written in the URL is never looked up: it is checked here.
      const checked = checkWebhookUrl(req.url, guard);
      if (!checked.ok) return reject(new WebhookSendError('blocked', checked.problem));
      const url = checked.url;
      const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
      let settled = false;
      const fail = (e: WebhookSendError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(e);
      };
      const r = request(
        url,
        {
          method: 'POST',
          headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
          // One connection per attempt: a kept-alive socket would skip the guard's next lookup.
          agent: false,
          lookup: lookup as never,
        },
        (res: IncomingMessage) => {
          // The status is the answer: the body is not read (the connection is not reused either).
          const retryAfter = res.headers['retry-after'];
          if (!settled) {
            settled = true;
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : null });
          }
          res.destroy();
        },
      );
      const timer = setTimeout(() => {
        fail(new WebhookSendError('timeout', `no answer within ${req.timeoutMs} ms`));
        r.destroy();
      }, req.timeoutMs);
      r.on('error', (e: NodeJS.ErrnoException) => {
        if (e.name === 'BlockedAddressError') fail(new WebhookSendError('blocked', e.message));
        else fail(new WebhookSendError('connection', connectionMessage(e)));
      });
      r.end(req.body);
    });
}

/** A connection error as the delivery log shows it: what happened, never more of the environment. */
function connectionMessage(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'ETIMEDOUT':
      return 'connection timed out';
    default:
      return e.code ? `connection failed (${e.code})` : 'connection failed';
  }
}
