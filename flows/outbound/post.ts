/**
 * What sends one webhook POST: the flows describe the request, the gateway (the only layer that
 * knows node:http) carries it out through the SSRF guard (flows/outbound/ssrf.ts). Contract: the
 * answer's status and `Retry-After`, or a WebhookSendError; redirects are never followed (a 3xx
 * is an answer like any other); the body of the answer is read at most in part and dropped.
 */

export interface WebhookRequest {
  url: string;
  headers: Readonly<Record<string, string>>;
  body: string;
  /** The whole attempt (connect, send, first byte of the answer), in ms. */
  timeoutMs: number;
}

export interface WebhookResponse {
  status: number;
  /** The `Retry-After` header, as sent. */
  retryAfter: string | null;
}

/** Why no answer came. */
export type SendFailure = 'timeout' | 'connection' | 'blocked';

export class WebhookSendError extends Error {
  override readonly name = 'WebhookSendError';
  constructor(
    readonly kind: SendFailure,
    message: string,
  ) {
    super(message);
  }
}

export type WebhookPost = (req: WebhookRequest) => Promise<WebhookResponse>;
