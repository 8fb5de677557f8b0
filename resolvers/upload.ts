/**
 * The `Upload` scalar: a file of a GraphQL multipart request, handed to the resolver while it
 * is still arriving. Only the gateway's multipart parser makes one (it brands it); a variable
 * or a literal that is not one is BAD_USER_INPUT.
 */
import { GraphQLError, GraphQLScalarType } from 'graphql';

const BRAND = Symbol.for('atrium.upload');

/** A file being received. `body` may be read once; it errors when the file is over the size limit. */
export interface FileUpload {
  readonly [BRAND]: true;
  fileName: string;
  mimeType: string;
  /** The declared size, when the sender declared one. */
  size?: number;
  body: ReadableStream<Uint8Array>;
}

/** Brand a file the gateway received. */
export function fileUpload(f: Omit<FileUpload, typeof BRAND>): FileUpload {
  return { ...f, [BRAND]: true } as FileUpload;
}

const isUpload = (v: unknown): v is FileUpload => typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[BRAND] === true;

export const Upload = new GraphQLScalarType({
  name: 'Upload',
  description: 'A file sent with a GraphQL multipart request.',
  serialize: () => {
    throw new GraphQLError('Upload is an input only');
  },
  parseValue: (v) => {
    if (!isUpload(v)) throw new GraphQLError('Upload must be a file of a multipart request', { extensions: { code: 'BAD_USER_INPUT' } });
    return v;
  },
  parseLiteral: () => {
    throw new GraphQLError('Upload must be a file of a multipart request', { extensions: { code: 'BAD_USER_INPUT' } });
  },
});
