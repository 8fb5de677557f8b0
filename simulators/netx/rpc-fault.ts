/** A JSON-RPC error raised by a method handler of the NetX simulator (sent in an HTTP 200 body). */
export class RpcFault extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
