/** next-auth's endpoints (sign-in, callbacks, session, CSRF, sign-out). */
import NextAuth from 'next-auth';
import { authOptions } from '../../../../lib/auth.ts';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ nextauth: string[] }> };

// Options are built per request so the environment is read at run time, not at build time.
const handler = (req: Request, ctx: Context) => NextAuth(req as never, ctx as never, authOptions());

export { handler as GET, handler as POST };
